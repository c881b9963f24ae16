package io.github.xent4j.internal;

import io.github.xent4j.internal.GemmCase.Form;
import io.github.xent4j.spi.Gemm;
import io.github.xent4j.spi.ScalarGemm;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The reference GEMM follows the arithmetic contract of {@link Gemm} bit for bit, in every form and shape. */
class ScalarGemmTest {

    private static final Gemm G = ScalarGemm.INSTANCE;

    /** Shapes around every block size of the scalar kernels (MR = NR = 4, MC = 64, NC = 512, k-blocks 256 and 512). */
    static List<int[]> shapes() {
        List<int[]> s = new ArrayList<>();
        int[][] fixed = {
            {1, 1, 1}, {1, 1, 0}, {3, 5, 0}, {1, 7, 3}, {7, 1, 3}, {4, 4, 4}, {5, 3, 2}, {13, 17, 19},
            {4, 8, 255}, {6, 9, 256}, {9, 6, 257}, {2, 3, 513}, {65, 5, 7}, {64, 4, 300}, {3, 515, 9},
            {33, 40, 600}, {70, 70, 70}, {1, 530, 260}, {131, 2, 3}, {5, 6, 511}, {6, 5, 1025}, {3, 9, 1300},
        };
        for (int[] f : fixed) {
            s.add(f);
        }
        return s;
    }

    static void assertBitwise(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
    }

    static void assertBitwise(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
    }

    @Test
    void everyFormAndShapeFollowsTheContractBitwise() {
        Random r = new Random(20);
        float[] work = new float[G.workspaceLength()];
        double[] workD = new double[G.workspaceLength()];
        for (int[] s : shapes()) {
            for (Form f : Form.values()) {
                GemmCase gc = new GemmCase(f, s[0], s[1], s[2], r);
                for (boolean acc : new boolean[] {false, true}) {
                    String what = gc + " accumulate=" + acc;
                    float[] c = acc ? gc.c0.clone() : gc.nanC();
                    gc.run(G, c, acc, work);
                    assertBitwise(gc.contract(acc), c, what);
                    gc.assertAccurate(c, acc, what);
                    double[] cd = acc ? gc.cd0.clone() : gc.nanCD();
                    gc.run(G, cd, acc, workD);
                    assertBitwise(gc.contractD(acc), cd, what + " float64");
                }
            }
        }
    }

    @Test
    void splittingKAtAMultipleOfTheKBlockGivesTheSameBits() {
        Random r = new Random(21);
        float[] work = new float[G.workspaceLength()];
        for (Form f : Form.values()) {
            for (int k : new int[] {256, 300, 512, 700, 1100}) {
                GemmCase gc = new GemmCase(f, 9, 11, k, r);
                for (int k1 = gc.kb(); k1 <= k; k1 += gc.kb()) {
                    for (boolean acc : new boolean[] {false, true}) {
                        float[] whole = gc.c0.clone();
                        gc.run(G, whole, acc, work);
                        float[] split = gc.c0.clone();
                        gc.runSplitK(G, split, acc, k1, work);
                        assertBitwise(whole, split, gc + " k1=" + k1 + " accumulate=" + acc);
                    }
                }
            }
        }
    }

    @Test
    void anyThreadCountGivesTheSameBits() {
        Random r = new Random(22);
        ExecutorService own = Executors.newFixedThreadPool(2);
        try {
            int[][] big = {{150, 37, 300}, {40, 700, 120}, {300, 300, 30}};
            for (int[] s : big) {
                for (Form f : Form.values()) {
                    GemmCase gc = new GemmCase(f, s[0], s[1], s[2], r);
                    float[] one = gc.c0.clone();
                    gc.run(G, one, true, new float[G.workspaceLength()]);
                    double[] oneD = gc.cd0.clone();
                    gc.run(G, oneD, false, new double[G.workspaceLength()]);
                    for (int threads = 1; threads <= 5; threads++) {
                        for (java.util.concurrent.Executor ex : new java.util.concurrent.Executor[] {null, own}) {
                            float[] c = gc.c0.clone();
                            gc.runThreads(G, c, true, Gemms.floatWorkspaces(G, threads), ex);
                            assertBitwise(one, c, gc + " threads=" + threads);
                            double[] cd = gc.nanCD();
                            gc.runThreads(G, cd, false, Gemms.doubleWorkspaces(G, threads), ex);
                            assertBitwise(oneD, cd, gc + " float64 threads=" + threads);
                        }
                    }
                }
            }
        } finally {
            own.shutdown();
        }
    }

    @Test
    void splitsCoverEveryRowOrColumnOnce() {
        for (int size : new int[] {1, 47, 48, 49, 100, 129, 1000, 4097}) {
            for (int parts = 1; parts <= 7; parts++) {
                for (int align : new int[] {48, 64}) {
                    int step = Gemms.step(size, parts, align);
                    int used = (size + step - 1) / step;
                    assertEquals(0, step % align);
                    assertEquals(true, used <= parts, "size " + size + " parts " + parts);
                    assertEquals(true, (used - 1) * step < size && used * step >= size);
                }
            }
        }
        assertEquals(1, Gemms.parts(8, 10, 10, 10), "tiny products stay on one thread");
        assertEquals(2, Gemms.parts(2, 256, 32000, 2048));
    }
}
