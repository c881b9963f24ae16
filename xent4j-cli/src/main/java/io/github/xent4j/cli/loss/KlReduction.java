package io.github.xent4j.cli.loss;

import io.github.xent4j.Reduction;

/** kl-div's reductions: PyTorch's default mean averages over every element; batchmean over dimension 0. */
enum KlReduction implements Choice {
    mean(Reduction.MEAN), sum(Reduction.SUM), none(Reduction.NONE), batchmean(Reduction.BATCHMEAN);

    private final Reduction core;

    KlReduction(Reduction core) {
        this.core = core;
    }

    @Override
    public Reduction core() {
        return core;
    }
}
