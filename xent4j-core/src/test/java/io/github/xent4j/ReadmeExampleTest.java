package io.github.xent4j;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Java example of README.md, line for line, with its numbers checked. */
class ReadmeExampleTest {

    @Test
    void readmeExampleRunsAndGivesTheTutorialsMean() {
        float[] logits = {0.1f, 0.3f, 0.6f,   0.3f, 0.2f, 0.5f};   // shape (2, 3), row-major like NumPy
        int[] shape = {2, 3};
        int[] target = {0, 2};

        double mean = F.crossEntropy(logits, shape, target);         // 1.1465588, as torch.nn.functional.cross_entropy

        CrossEntropyLoss ce = CrossEntropyLoss.builder()
                .weight(1.0, 2.0, 0.5).ignoreIndex(-100).labelSmoothing(0.1).reduction(Reduction.MEAN).build();
        FloatResult r = ce.forwardBackward(logits, shape, target);   // r.value(), r.gradient() = dLoss/dLogits

        assertEquals(1.1465588f, (float) mean);
        assertEquals(6, r.gradient().length);
        double rowSum = r.gradient()[0] + r.gradient()[1] + r.gradient()[2];
        assertEquals(0, rowSum, 1e-7, "softmax gradients sum to 0 per row");
        // the same loss, spelled out: per-position losses over the weighted denominator w[0] + w[2]
        float[] none = ce.toBuilder().reduction(Reduction.NONE).build().forward(logits, shape, target).losses();
        assertEquals((none[0] + none[1]) / (1.0 + 0.5), r.value(), 1e-6);
    }
}
