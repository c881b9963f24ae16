package io.github.xent4j;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tutorial's check and the worked examples of the semantics file, by hand. */
class WorkedExamplesTest {

    private static final float[] TUTORIAL_LOGITS = {0.1f, 0.3f, 0.6f, 0.3f, 0.2f, 0.5f};
    private static final int[] TUTORIAL_SHAPE = {2, 3};
    private static final int[] TUTORIAL_TARGET = {0, 2};

    @Test
    void tutorialMeanAndPerSample() {
        assertEquals(1.1465588f, (float) F.crossEntropy(TUTORIAL_LOGITS, TUTORIAL_SHAPE, TUTORIAL_TARGET), 1e-7);
        FloatResult none = CrossEntropyLoss.builder().reduction(Reduction.NONE).build()
                .forward(TUTORIAL_LOGITS, TUTORIAL_SHAPE, TUTORIAL_TARGET);
        assertArrayEquals(new float[] {1.3532865f, 0.939831f}, none.losses(), 1e-6f);
    }

    @Test
    void tutorialHandWrittenSoftmaxAgrees() {
        float[] p = F.softmax(TUTORIAL_LOGITS, TUTORIAL_SHAPE, 1);
        double hand = -(Math.log(p[0]) + Math.log(p[5])) / 2;
        assertEquals(hand, F.crossEntropy(TUTORIAL_LOGITS, TUTORIAL_SHAPE, TUTORIAL_TARGET), 1e-7);
    }

    @Test
    void basicGradient() {
        DoubleResult r = CrossEntropyLoss.DEFAULTS.forwardBackward(new double[] {1, 2, 3}, new int[] {1, 3}, new int[] {2});
        assertEquals(0.4076059644, r.value(), 1e-10);
        assertArrayEquals(new double[] {0.0900305732, 0.2447284711, -0.3347590442}, r.gradient(), 1e-10);
    }

    @Test
    void labelSmoothingWithWeightsUsesPytorchsRule() {
        double[] x = {0.2, 0.3, 0.5, 0.5, 0.2, 0.3};
        int[] y = {2, 1};
        CrossEntropyLoss.Builder b = CrossEntropyLoss.builder().weight(2, 4, 6).labelSmoothing(0.1);
        assertEquals(1.0417011063, b.build().value(x, new int[] {2, 3}, y), 1e-10);
        assertEquals(10.4170110629, b.reduction(Reduction.SUM).build().value(x, new int[] {2, 3}, y), 1e-9);
        double[] none = b.reduction(Reduction.NONE).build().forward(x, new int[] {2, 3}, y).losses();
        assertArrayEquals(new double[] {5.4976868196, 4.9193242434}, none, 1e-9);
    }

    @Test
    void gradientWithWeightsSmoothingAndIgnore() {
        double[] x = {2, -1, 0.5, 0, 0.1, 0.2, 0.3, 0.4, 1, 1, 1, 1};
        int[] y = {0, -100, 3};
        DoubleResult r = CrossEntropyLoss.builder().weight(1, 2, 0.5, 4).labelSmoothing(0.2).build()
                .forwardBackward(x, new int[] {3, 4}, y);
        assertEquals(1.2191526201, r.value(), 1e-10);
        assertArrayEquals(new double[] {-0.0031265181, -0.0116918585, 0.0322345067, -0.0174161301, 0, 0, 0, 0,
                0.16875, 0.15875, 0.17375, -0.50125}, r.gradient(), 1e-10);
    }

    @Test
    void targetOutOfRangeNamesIndexValueAndRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.crossEntropy(new float[20], new int[] {4, 5}, new int[] {0, 1, 2, 7}));
        assertEquals("target[3]=7 must be in [0, 5) or equal ignore_index=-100", e.getMessage());
    }

    @Test
    void allIgnoredMeanIsNanAndPoliciesApply() {
        int[] y = {-100, -100};
        double[] x = {1, 2, 3, 4};
        DoubleResult r = CrossEntropyLoss.DEFAULTS.forwardBackward(x, new int[] {2, 2}, y);
        assertTrue(Double.isNaN(r.value()));
        assertArrayEquals(new double[4], r.gradient());
        assertEquals(0.0, CrossEntropyLoss.builder().emptyMean(EmptyMeanPolicy.ZERO).build().value(x, new int[] {2, 2}, y));
        double[] grad = {9, 9, 9, 9};
        assertThrows(IllegalArgumentException.class, () -> CrossEntropyLoss.builder().emptyMean(EmptyMeanPolicy.THROW).build()
                .compute(x, new int[] {2, 2}, y, null, null, grad));
        assertArrayEquals(new double[] {9, 9, 9, 9}, grad, "nothing written before the error");
    }

    @Test
    void bceWithLogitsWorkedExample() {
        double[] x = {0.5, -1, 2, 3, 0, -2};
        double[] y = {1, 0, 1, 0, 1, 0.5};
        int[] shape = {2, 3};
        assertEquals(0.9638215377, F.binaryCrossEntropyWithLogits(x, shape, y), 1e-10);
        BceWithLogitsLoss pw = BceWithLogitsLoss.builder().posWeight(new double[] {3, 1, 0.5}, 3).build();
        assertEquals(1.0226478643, pw.value(x, shape, y), 1e-10);
        assertEquals(1.1354943412, pw.toBuilder().weight(new double[] {1, 2, 0.5}, 3).build().value(x, shape, y), 1e-10);
    }

    @Test
    void bceClampsLikePytorch() {
        DoubleResult r = BceLoss.builder().reduction(Reduction.NONE).build().forwardBackward(new double[] {0, 1, 0, 0.3}, new int[] {4},
                new double[] {1, 0, 0, 0.7});
        assertArrayEquals(new double[] {100, 100, 0, 0.9497834462}, r.losses(), 1e-9);
        assertArrayEquals(new double[] {-1 / (double) 1e-12f, 1 / (double) 1e-12f, 0, -1.9047619048}, r.gradient(), 1e-3);
    }

    @Test
    void klDivWorkedExample() {
        double[] q = {0.2, 0.3, 0.5, 0.1, 0.1, 0.8};
        double[] logQ = new double[6];
        for (int i = 0; i < 6; i++) {
            logQ[i] = Math.log(q[i]);
        }
        double[] p = {0.25, 0.25, 0.5, 0, 0.5, 0.5};
        int[] shape = {2, 3};
        assertEquals(0.5799226402, KlDivLoss.builder().reduction(Reduction.SUM).build().value(logQ, shape, p), 1e-10);
        assertEquals(0.0966537734, F.klDiv(logQ, shape, p), 1e-10);
        assertEquals(0.2899613201, KlDivLoss.builder().reduction(Reduction.BATCHMEAN).build().value(logQ, shape, p), 1e-10);
    }

    @Test
    void tutorialDogExample() {
        double h = Distributions.crossEntropy(new double[] {0.2, 0.5, 0.3}, new int[] {3}, new double[] {0, 1, 0})[0];
        assertEquals(-Math.log(0.5), h, 1e-15);
    }

    @Test
    void strictProbabilityTargetsAreCheckedOnlyWhenAskedFor() {
        double[] x = {1, 2, 3, 0, 0, 0};
        int[] shape = {2, 3};
        double[] unnormalised = {0.5, 0.5, 0.5, 0, 1, 0};
        double lenient = CrossEntropyLoss.DEFAULTS.value(x, shape, unnormalised);
        assertTrue(Double.isFinite(lenient), "PyTorch accepts any target values");
        CrossEntropyLoss strict = CrossEntropyLoss.builder().validateProbabilities(1e-6).build();
        IllegalArgumentException sum = assertThrows(IllegalArgumentException.class, () -> strict.value(x, shape, unnormalised));
        assertEquals("targetProbs position 0 sums to 1.5; must be 1 within 1.0E-6 (validateProbabilities is on)", sum.getMessage());
        float[] negative = {1.2f, -0.2f, 0, 0, 1, 0};
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> strict.value(new float[6], shape, negative));
        assertEquals("targetProbs[0]=1.2000000476837158 must be in [0, 1] (validateProbabilities is on)", range.getMessage());
        assertEquals(strict.value(x, shape, new double[] {0.2, 0.3, 0.5, 0, 1, 0}),
                CrossEntropyLoss.DEFAULTS.value(x, shape, new double[] {0.2, 0.3, 0.5, 0, 1, 0}));
    }
}
