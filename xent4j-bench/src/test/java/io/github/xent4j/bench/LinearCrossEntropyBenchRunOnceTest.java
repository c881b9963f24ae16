package io.github.xent4j.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fused-loss benchmark's methods run once on a tiny shape and give the same, sane loss. */
class LinearCrossEntropyBenchRunOnceTest {

    @Test
    void fusedBenchmarksRun() {
        LinearCrossEntropyBench b = new LinearCrossEntropyBench();
        b.shape = "9x7x300";
        b.threads = 2;
        b.setup();
        double fb = b.forwardBackward();
        double lo = b.lossOnly();
        assertTrue(fb > 0 && Double.isFinite(fb), "forwardBackward " + fb);
        assertEquals(fb, lo, 0, "loss-only gives the forward+backward call's value");
        double g = 0;
        for (float v : b.gradWeight) {
            g += Math.abs(v);
        }
        assertTrue(g > 0, "the weight gradient was written");
    }
}
