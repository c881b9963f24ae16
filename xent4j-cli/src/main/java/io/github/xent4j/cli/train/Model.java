package io.github.xent4j.cli.train;

import java.util.Random;

/**
 * A classifier whose parameters live in one flat array, so that optimisers and gradient checks see
 * a single vector. {@link #backward} uses what the last {@link #forward} on the same rows cached, so
 * an instance serves one caller at a time.
 */
abstract class Model {

    final int features;
    final int classes;

    Model(int features, int classes) {
        this.features = features;
        this.classes = classes;
    }

    abstract int parameterCount();

    /** Fills {@code params} with a seeded initialisation. */
    abstract void initialize(double[] params, Random random);

    /** logits (rows, classes) of the rows of x (rows, features). */
    abstract void forward(Parallel par, double[] params, double[] x, int rows, double[] logits);

    /** Writes d(loss)/d(params) into grad, given d(loss)/d(logits) for the rows of the last forward. */
    abstract void backward(Parallel par, double[] params, double[] x, int rows, double[] dLogits, double[] grad);

    /** "logreg" or "mlp(64)". */
    abstract String describe();
}
