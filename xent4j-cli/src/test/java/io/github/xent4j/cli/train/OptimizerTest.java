package io.github.xent4j.cli.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The update rules of torch.optim.SGD (momentum, weight_decay) and torch.optim.Adam, worked by hand. */
class OptimizerTest {

    @Test
    void sgdWithMomentumAccumulatesTheVelocity() {
        double[] p = {1.0, -2.0};
        Optimizer sgd = new Optimizer.Sgd(2, 0.1, 0.9, 0.0);
        sgd.step(p, new double[] {0.5, 1.0});  // v = g;            p -= 0.1 v
        assertArrayEquals(new double[] {0.95, -2.1}, p, 1e-15);
        sgd.step(p, new double[] {0.5, 1.0});  // v = 0.9 v + g = 0.95, 1.9
        assertArrayEquals(new double[] {0.855, -2.29}, p, 1e-15);
    }

    @Test
    void weightDecayAddsTheL2GradientOfTheParameter() {
        double[] p = {2.0};
        new Optimizer.Sgd(1, 0.5, 0.0, 0.1).step(p, new double[] {1.0});  // g = 1 + 0.1 * 2 = 1.2
        assertArrayEquals(new double[] {1.4}, p, 1e-15);
    }

    @Test
    void adamsFirstStepMovesEachParameterByTheLearningRate() {
        // After bias correction m = g and v = g^2, so the step is lr * g / (|g| + eps).
        double[] p = {1.0, 1.0, 1.0};
        new Optimizer.Adam(3, 0.01, 0.0).step(p, new double[] {3.0, -0.002, 0.0});
        assertArrayEquals(new double[] {1.0 - 0.01 * 3 / (3 + 1e-8), 1.0 + 0.01 * 0.002 / (0.002 + 1e-8), 1.0}, p, 1e-15);
    }
}
