package io.github.xent4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case of golden/linear_cross_entropy.json (made by golden/gen_linear_cross_entropy.py from
 * PyTorch 1.13 composites): the value, the three gradients, the z-loss term, the token count,
 * accuracy, perplexity and per-token lse, float32 through the float[] API and float64 through the
 * double[] API, each case also on 2 threads; and PyTorch's errors.
 *
 * <p>Tolerance, per array relative to its largest finite magnitude (at least 1): float64 1e-12,
 * float32 1e-5 (PyTorch's float32 sums in another order than our GEMM). Special values must match.
 */
class LinearCrossEntropyGoldenTest {

    @TestFactory
    Stream<DynamicTest> pytorchCompositeCases() throws IOException {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/golden/linear_cross_entropy.json")) {
            root = new ObjectMapper().readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> run(c)));
        }
        assertTrue(tests.size() > 400, "several hundred cases");
        return tests.stream();
    }

    static double[] data(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        JsonNode d = n.get("data");
        double[] a = new double[d.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = d.get(i).isTextual() ? Double.parseDouble(d.get(i).asText()) : d.get(i).asDouble();
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
        if (a == null) {
            return null;
        }
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    static LinearCrossEntropyLoss loss(JsonNode o, int threads) {
        LinearCrossEntropyLoss.Builder b = LinearCrossEntropyLoss.builder()
                .reduction(Reduction.parse(o.get("reduction").asText()))
                .ignoreIndex(o.get("ignore_index").asInt())
                .labelSmoothing(o.get("label_smoothing").asDouble())
                .zLoss(o.get("z_loss").asDouble())
                .threads(threads);
        if (!o.get("weight").isNull()) {
            b.weight(data(o.get("weight")));
        }
        if (!o.get("softcap").isNull()) {
            b.softcap(o.get("softcap").asDouble());
        }
        return b.build();
    }

    /** What one call gave, in double. */
    record Got(LinearCrossEntropyLoss.Result result, double[] gradInput, double[] gradWeight, double[] gradBias,
               double[] tokenLoss, double[] lse) {
    }

    static Got call(JsonNode c, boolean f32, int threads) {
        JsonNode o = c.get("options");
        LinearCrossEntropyLoss loss = loss(o, threads);
        double[] h = data(c.get("input"));
        int[] hs = shape(c.get("input"));
        double[] w = data(c.get("linear_weight"));
        int[] ws = shape(c.get("linear_weight"));
        double[] b = data(c.get("linear_bias"));
        double[] yd = data(c.get("target"));
        int[] y = new int[yd.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (int) yd[i];
        }
        double[] tw = data(o.get("token_weight"));
        double[] up = data(c.get("upstream"));
        int n = y.length;
        if (f32) {
            float[] gi = new float[h.length];
            float[] gw = new float[w.length];
            float[] gb = b == null ? null : new float[b.length];
            float[] tl = new float[n];
            float[] lse = new float[n];
            LinearCrossEntropyLoss.Result r = loss.compute(f(h), hs, f(w), ws, f(b), y, f(tw), f(up),
                    LinearCrossEntropyLoss.FloatOutputs.gradients(gi, gw, gb).withTokenLoss(tl).withTokenLse(lse).withStats());
            return new Got(r, d(gi), d(gw), d(gb), d(tl), d(lse));
        }
        double[] gi = new double[h.length];
        double[] gw = new double[w.length];
        double[] gb = b == null ? null : new double[b.length];
        double[] tl = new double[n];
        double[] lse = new double[n];
        LinearCrossEntropyLoss.Result r = loss.compute(h, hs, w, ws, b, y, tw, up,
                LinearCrossEntropyLoss.DoubleOutputs.gradients(gi, gw, gb).withTokenLoss(tl).withTokenLse(lse).withStats());
        return new Got(r, gi, gw, gb, tl, lse);
    }

    private static void run(JsonNode c) {
        boolean f32 = c.get("dtype").asText().equals("float32");
        String id = c.get("id").asText();
        if (c.has("error")) {
            assertThrows(InvalidInputException.class, () -> call(c, f32, 1),
                    "PyTorch rejects this: " + c.get("error").get("message").asText());
            return;
        }
        JsonNode e = c.get("expected");
        for (int threads : new int[] {1, 2}) {
            Got g = call(c, f32, threads);
            String what = id + " threads=" + threads;
            double[] out = data(e.get("output"));
            boolean none = c.get("options").get("reduction").asText().equals("none");
            if (none) {
                compare(what + " output", out, g.tokenLoss(), f32);
                double sum = 0;
                for (double v : out) {
                    sum += v;
                }
                compare(what + " value (sum of none)", new double[] {sum}, new double[] {g.result().value()}, f32);
            } else {
                compare(what + " output", out, new double[] {g.result().value()}, f32);
            }
            compare(what + " grad_input", data(e.get("grad_input")), g.gradInput(), f32);
            compare(what + " grad_linear_weight", data(e.get("grad_linear_weight")), g.gradWeight(), f32);
            if (!e.get("grad_linear_bias").isNull()) {
                compare(what + " grad_linear_bias", data(e.get("grad_linear_bias")), g.gradBias(), f32);
            }
            compare(what + " z_loss", data(e.get("z_loss")), new double[] {g.result().zLoss()}, f32);
            assertEquals(e.get("tokens").asLong(), g.result().tokens(), what + " tokens");
            compare(what + " perplexity", data(e.get("perplexity")), new double[] {g.result().perplexity()}, f32);
            compare(what + " lse", data(e.get("lse")), g.lse(), f32);
            double margin = data(e.get("argmax_margin"))[0];
            if (margin > (f32 ? 1e-4 : 1e-9)) {
                compare(what + " accuracy", data(e.get("accuracy")), new double[] {g.result().accuracy()}, false);
            }
        }
    }

    static void compare(String what, double[] expected, double[] actual, boolean f32) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 1;
        for (double v : expected) {
            if (Double.isFinite(v)) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        double tol = (f32 ? 1e-5 : 1e-12) * scale;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                assertEquals(e, a, what + "[" + i + "] special value");
            } else {
                assertTrue(Math.abs(a - e) <= tol, what + "[" + i + "]: expected " + e + " but was " + a);
            }
        }
    }
}
