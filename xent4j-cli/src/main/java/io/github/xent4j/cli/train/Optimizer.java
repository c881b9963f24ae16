package io.github.xent4j.cli.train;

/**
 * Updates parameters in place from their gradient, as PyTorch's {@code torch.optim.SGD} and
 * {@code torch.optim.Adam} (L2 weight decay added to the gradient, as their {@code weight_decay}).
 */
abstract class Optimizer {

    final double lr;
    final double weightDecay;

    Optimizer(double lr, double weightDecay) {
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    abstract void step(double[] params, double[] grad);

    abstract String describe();

    /** SGD with momentum: v = mu * v + g;  p -= lr * v. */
    static final class Sgd extends Optimizer {
        private final double momentum;
        private final double[] velocity;

        Sgd(int size, double lr, double momentum, double weightDecay) {
            super(lr, weightDecay);
            this.momentum = momentum;
            this.velocity = new double[size];
        }

        @Override
        void step(double[] params, double[] grad) {
            for (int i = 0; i < params.length; i++) {
                double g = grad[i] + weightDecay * params[i];
                velocity[i] = momentum * velocity[i] + g;
                params[i] -= lr * velocity[i];
            }
        }

        @Override
        String describe() {
            return String.format(java.util.Locale.ROOT, "sgd lr=%s momentum=%s%s", lr, momentum,
                    weightDecay > 0 ? " weight-decay=" + weightDecay : "");
        }
    }

    /**
     * Adam: m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
     * p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
     */
    static final class Adam extends Optimizer {
        private static final double BETA1 = 0.9;
        private static final double BETA2 = 0.999;
        private static final double EPS = 1e-8;
        private final double[] m;
        private final double[] v;
        private long t;

        Adam(int size, double lr, double weightDecay) {
            super(lr, weightDecay);
            this.m = new double[size];
            this.v = new double[size];
        }

        @Override
        void step(double[] params, double[] grad) {
            t++;
            double c1 = 1 - Math.pow(BETA1, t);
            double c2 = 1 - Math.pow(BETA2, t);
            for (int i = 0; i < params.length; i++) {
                double g = grad[i] + weightDecay * params[i];
                m[i] = BETA1 * m[i] + (1 - BETA1) * g;
                v[i] = BETA2 * v[i] + (1 - BETA2) * g * g;
                params[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPS);
            }
        }

        @Override
        String describe() {
            return String.format(java.util.Locale.ROOT, "adam lr=%s%s", lr,
                    weightDecay > 0 ? " weight-decay=" + weightDecay : "");
        }
    }
}
