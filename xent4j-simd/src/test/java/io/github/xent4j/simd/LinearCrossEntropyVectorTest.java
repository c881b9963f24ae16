package io.github.xent4j.simd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.xent4j.LinearCrossEntropyLoss;
import io.github.xent4j.LinearCrossEntropyLoss.FloatOutputs;
import io.github.xent4j.LinearCrossEntropyLoss.Result;
import io.github.xent4j.Reduction;
import io.github.xent4j.Xent4j;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fused loss on the vector provider (vector GEMM, vector cross-entropy and soft-cap kernels):
 * PyTorch's golden cases (the core's fixture file), and bitwise invariance to the chunk size and
 * thread count, which in the core's tests ran on the scalar kernels.
 */
class LinearCrossEntropyVectorTest {

    @Test
    void theVectorProviderRunsTheFusedLoss() {
        assertTrue(Xent4j.kernels().startsWith("vector-"), Xent4j.kernels());
    }

    @Test
    void pytorchGoldenCasesPassOnTheVectorKernels() throws IOException {
        Path file = Path.of("../xent4j-core/src/test/resources/golden/linear_cross_entropy.json");
        assumeTrue(Files.exists(file), "run from the module directory of the reactor");
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        int checked = 0;
        for (JsonNode c : root.get("cases")) {
            if (c.has("error") || !c.get("dtype").asText().equals("float32")) {
                continue;
            }
            JsonNode o = c.get("options");
            LinearCrossEntropyLoss.Builder b = LinearCrossEntropyLoss.builder()
                    .reduction(Reduction.parse(o.get("reduction").asText())).ignoreIndex(o.get("ignore_index").asInt())
                    .labelSmoothing(o.get("label_smoothing").asDouble()).zLoss(o.get("z_loss").asDouble()).threads(2);
            if (!o.get("weight").isNull()) {
                b.weight(data(o.get("weight")));
            }
            if (!o.get("softcap").isNull()) {
                b.softcap(o.get("softcap").asDouble());
            }
            LinearCrossEntropyLoss loss = b.build();
            float[] h = f(data(c.get("input")));
            float[] w = f(data(c.get("linear_weight")));
            float[] bias = f(data(c.get("linear_bias")));
            double[] yd = data(c.get("target"));
            int[] y = new int[yd.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = (int) yd[i];
            }
            float[] gi = new float[h.length];
            float[] gw = new float[w.length];
            float[] gb = bias == null ? null : new float[bias.length];
            float[] tl = new float[y.length];
            Result r = loss.compute(h, shape(c.get("input")), w, shape(c.get("linear_weight")), bias, y,
                    f(data(o.get("token_weight"))), f(data(c.get("upstream"))),
                    FloatOutputs.gradients(gi, gw, gb).withTokenLoss(tl));
            JsonNode e = c.get("expected");
            String id = c.get("id").asText();
            if (o.get("reduction").asText().equals("none")) {
                close(id + " output", data(e.get("output")), d(tl));
            } else {
                close(id + " output", data(e.get("output")), new double[] {r.value()});
            }
            close(id + " grad_input", data(e.get("grad_input")), d(gi));
            close(id + " grad_linear_weight", data(e.get("grad_linear_weight")), d(gw));
            if (gb != null) {
                close(id + " grad_linear_bias", data(e.get("grad_linear_bias")), d(gb));
            }
            checked++;
        }
        assertTrue(checked > 200, "cases checked: " + checked);
    }

    @Test
    void resultsAreBitwiseTheSameForAnyChunkSizeAndThreadCount() {
        Random r = new Random(60);
        int n = 1300;
        int dim = 40;
        int v = 333;
        float[] h = gaussian(r, n * dim, 1);
        float[] w = gaussian(r, v * dim, 0.5f);
        float[] bias = gaussian(r, v, 0.5f);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(5) == 0 ? -100 : r.nextInt(v);
        }
        float[] tw = gaussian(r, n, 1);
        for (LinearCrossEntropyLoss base : new LinearCrossEntropyLoss[] {
                LinearCrossEntropyLoss.DEFAULTS,
                LinearCrossEntropyLoss.builder().zLoss(1e-3).softcap(3).labelSmoothing(0.1).build()}) {
            float[][] ref = null;
            Result refResult = null;
            for (LinearCrossEntropyLoss l : new LinearCrossEntropyLoss[] {base, base.toBuilder().threads(2).build(),
                    base.toBuilder().chunkRows(512).threads(3).build(), base.toBuilder().chunkRows(1280).threads(2).build()}) {
                float[] gi = new float[n * dim];
                float[] gw = new float[v * dim];
                float[] gb = new float[v];
                float[] lse = new float[n];
                Result res = l.compute(h, new int[] {n, dim}, w, new int[] {v, dim}, bias, y, tw, null,
                        FloatOutputs.gradients(gi, gw, gb).withTokenLse(lse).withStats());
                float[][] got = {gi, gw, gb, lse};
                if (ref == null) {
                    ref = got;
                    refResult = res;
                    continue;
                }
                assertEquals(refResult, res, l.toString());
                for (int k = 0; k < got.length; k++) {
                    assertArrayEquals(ref[k], got[k], l + " output " + k);
                }
            }
        }
    }

    static float[] gaussian(Random r, int len, float scale) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = (float) r.nextGaussian() * scale;
        }
        return a;
    }

    static double[] data(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        JsonNode dd = n.get("data");
        double[] a = new double[dd.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = dd.get(i).isTextual() ? Double.parseDouble(dd.get(i).asText()) : dd.get(i).asDouble();
        }
        return a;
    }

    static int[] shape(JsonNode n) {
        int[] s = new int[n.get("shape").size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = n.get("shape").get(i).asInt();
        }
        return s;
    }

    static float[] f(double[] a) {
        if (a == null) {
            return null;
        }
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = (float) a[i];
        }
        return r;
    }

    static double[] d(float[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    static void close(String what, double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, what);
        double scale = 1;
        for (double e : expected) {
            if (Double.isFinite(e)) {
                scale = Math.max(scale, Math.abs(e));
            }
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            if (!Double.isFinite(e)) {
                assertEquals(e, actual[i], what + "[" + i + "]");
            } else {
                assertTrue(Math.abs(actual[i] - e) <= 1e-5 * scale, what + "[" + i + "]: expected " + e + " but was "
                        + actual[i] + Arrays.toString(new double[0]));
            }
        }
    }
}
