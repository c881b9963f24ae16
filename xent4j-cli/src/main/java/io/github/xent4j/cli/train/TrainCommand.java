package io.github.xent4j.cli.train;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code xent train}: being written (issue 5). */
@Command(name = "train", description = "Train a classifier with xent4j's cross-entropy (in progress).")
public final class TrainCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 2;
    }
}
