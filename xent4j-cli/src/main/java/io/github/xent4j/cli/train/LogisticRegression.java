package io.github.xent4j.cli.train;

import java.util.Arrays;
import java.util.Random;

/** Multinomial logistic regression: logits = x W^T + b, with W (classes, features) and b (classes). */
final class LogisticRegression extends Model {

    LogisticRegression(int features, int classes) {
        super(features, classes);
    }

    @Override
    int parameterCount() {
        return classes * features + classes;
    }

    /** Zeros: the loss is convex, so there is no symmetry to break (every class starts at 1/C). */
    @Override
    void initialize(double[] params, Random random) {
        Arrays.fill(params, 0.0);
    }

    @Override
    void forward(Parallel par, double[] params, double[] x, int rows, double[] logits) {
        Linear.forward(par, x, rows, features, params, 0, classes * features, classes, logits);
    }

    @Override
    void backward(Parallel par, double[] params, double[] x, int rows, double[] dLogits, double[] grad) {
        Linear.backwardParams(par, x, rows, features, dLogits, classes, grad, 0, classes * features);
    }

    @Override
    String describe() {
        return "logreg";
    }
}
