package io.github.xent4j.cli.bench;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code xent bench}: being written (issue 4). */
@Command(name = "bench", description = "Benchmark xent4j against PyTorch (in progress).")
public final class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 2;
    }
}
