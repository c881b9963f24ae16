package io.github.xent4j.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each benchmark method runs once on tiny sizes (not JMH: just the methods), and gives sane numbers. */
class BenchmarksRunOnceTest {

    @Test
    void crossEntropyBenchmarksRun() {
        for (CrossEntropyBench b : new CrossEntropyBench[] {new CrossEntropyBench(), new ScalarCrossEntropyBench()}) {
            b.shape = "7x19";
            b.threads = 2;
            b.setup();
            double fwd = b.forward();
            assertTrue(fwd > 0 && Double.isFinite(fwd), "forward " + fwd);
            double fb = b.forwardBackward();
            assertTrue(Double.isFinite(fb), "forwardBackward " + fb);
            // the gradient of a MEAN cross-entropy sums to 0 over each row
            double rowSum = 0;
            for (int c = 0; c < 19; c++) {
                rowSum += b.grad[c];
            }
            assertEquals(0, rowSum, 1e-6);
            assertTrue(Double.isFinite(b.forwardBackwardInPlace()));
        }
    }

    @Test
    void bceBenchmarksRun() {
        BceWithLogitsBench b = new BceWithLogitsBench();
        b.shape = "5x11";
        b.threads = 1;
        b.setup();
        double fwd = b.forward();
        assertTrue(fwd > 0 && Double.isFinite(fwd));
        assertTrue(Double.isFinite(b.forwardBackward()));
    }

    @Test
    void softmaxBenchmarksRun() {
        SoftmaxBench b = new SoftmaxBench();
        b.shape = "3x17";
        b.setup();
        b.softmax();
        double s = 0;
        for (int c = 0; c < 17; c++) {
            s += b.out[c];
        }
        assertEquals(1, s, 1e-6);
        assertTrue(b.logSoftmax() < 0);
        assertTrue(b.softmaxFloat64() > 0);
    }

    @Test
    void expBenchmarksAgree() {
        ExpBench b = new ExpBench();
        b.buffer = 256;
        b.setup();
        double poly = b.polynomial();
        double api = b.lanewiseExp();
        double scalar = b.mathExp();
        // float accumulators over 2^20 terms: agreement to 1e-3 shows the same function was summed
        assertEquals(scalar, poly, 1e-3 * scalar);
        assertEquals(scalar, api, 1e-3 * scalar);
    }
}
