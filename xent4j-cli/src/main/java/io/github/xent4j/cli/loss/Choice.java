package io.github.xent4j.cli.loss;

import io.github.xent4j.Reduction;

/** A {@code --reduction} value as a command spells it, and the core's reduction it stands for. */
interface Choice {
    Reduction core();
}
