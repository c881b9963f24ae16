package io.github.xent4j.cli.loss;

import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.data.Sources;
import picocli.CommandLine.Mixin;

/** A loss command with a required {@code --target} file, opened before the command prepares its plan. */
abstract class TargetLossCommand extends LossCommand {

    @Mixin
    LossOptions.Target target = new LossOptions.Target();

    /** {@link LossCommand#prepare(Source, Precision, Closer)} with the opened target. */
    abstract Plan prepare(Source x, Source target, Precision precision, Closer closer);

    @Override
    final Plan prepare(Source x, Precision precision, Closer closer) {
        return prepare(x, closer.add(Sources.open(target.file)), precision, closer);
    }
}
