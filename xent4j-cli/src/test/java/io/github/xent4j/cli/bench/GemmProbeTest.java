package io.github.xent4j.cli.bench;

import io.github.xent4j.Xent4j;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GemmProbeTest {

    @Test
    void everyFormIsTimedOnOneAndTwoThreadsAndThePeakIsMeasured() throws Exception {
        GemmProbe probe = new GemmProbe(50, 64, 300);
        assertEquals(2.0 * 50 * 64 * 300, probe.flops());
        for (String form : new String[] {"fwd", "dH", "dW"}) {
            for (int t = 1; t <= 2; t++) {
                GemmProbe.Rate r = probe.measure(form, t, 0.01);
                assertEquals(form, r.form());
                assertTrue(r.ms() > 0 && r.gflops() > 0 && Double.isFinite(r.gflops()), r.toString());
            }
        }
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            boolean vector = Xent4j.kernels().startsWith("vector");
            double peak = GemmProbe.peakGflops(pool, 2, 0.01, vector);
            assertTrue(vector ? peak > 0 && Double.isFinite(peak) : Double.isNaN(peak), "peak " + peak);
        } finally {
            pool.shutdown();
        }
    }
}
