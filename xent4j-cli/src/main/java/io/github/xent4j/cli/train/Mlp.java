package io.github.xent4j.cli.train;

import java.util.Random;

/**
 * A multilayer perceptron with one hidden ReLU layer:
 * <pre>{@code
 * h = relu(x W1^T + b1)        W1 (hidden, features), b1 (hidden)
 * logits = h W2^T + b2         W2 (classes, hidden),  b2 (classes)
 * }</pre>
 * Parameters in the order W1, b1, W2, b2. Initialisation: He normal for W1 (std sqrt(2/features)),
 * Glorot-style for W2 (std sqrt(1/hidden)), zero biases.
 */
final class Mlp extends Model {

    final int hidden;
    private final int b1;
    private final int w2;
    private final int b2;
    private double[] h = new double[0];
    private double[] dh = new double[0];

    Mlp(int features, int hidden, int classes) {
        super(features, classes);
        this.hidden = hidden;
        this.b1 = hidden * features;
        this.w2 = b1 + hidden;
        this.b2 = w2 + classes * hidden;
    }

    @Override
    int parameterCount() {
        return b2 + classes;
    }

    @Override
    void initialize(double[] params, Random random) {
        double s1 = Math.sqrt(2.0 / features);
        double s2 = Math.sqrt(1.0 / hidden);
        for (int i = 0; i < b1; i++) {
            params[i] = s1 * random.nextGaussian();
        }
        for (int i = b1; i < w2; i++) {
            params[i] = 0;
        }
        for (int i = w2; i < b2; i++) {
            params[i] = s2 * random.nextGaussian();
        }
        for (int i = b2; i < parameterCount(); i++) {
            params[i] = 0;
        }
    }

    @Override
    void forward(Parallel par, double[] params, double[] x, int rows, double[] logits) {
        if (h.length < rows * hidden) {
            h = new double[rows * hidden];
            dh = new double[rows * hidden];
        }
        Linear.forward(par, x, rows, features, params, 0, b1, hidden, h);
        for (int i = 0, n = rows * hidden; i < n; i++) {
            if (!(h[i] > 0)) {
                h[i] = 0;
            }
        }
        Linear.forward(par, h, rows, hidden, params, w2, b2, classes, logits);
    }

    @Override
    void backward(Parallel par, double[] params, double[] x, int rows, double[] dLogits, double[] grad) {
        Linear.backwardParams(par, h, rows, hidden, dLogits, classes, grad, w2, b2);
        Linear.backwardInput(par, dLogits, rows, classes, params, w2, hidden, dh);
        // relu'(z) = 1 where the unit was active (h > 0), else 0
        for (int i = 0, n = rows * hidden; i < n; i++) {
            if (h[i] == 0) {
                dh[i] = 0;
            }
        }
        Linear.backwardParams(par, x, rows, features, dh, hidden, grad, 0, b1);
    }

    @Override
    String describe() {
        return "mlp(" + hidden + ")";
    }
}
