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
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every case of the golden fixtures (golden/*.json, made by golden/gen_golden.py from real PyTorch):
 * values and gradients, float32 through the float[] API and float64 through the double[] API, and
 * the inputs PyTorch rejects.
 *
 * <p>Tolerance: float64 agrees with PyTorch float64 to 1e-12 relative; float32 to 1e-5 relative,
 * since PyTorch accumulates float32 in float and xent4j in double (AccuracyTest shows which is
 * closer to the truth). Special values (NaN, +-inf) must match exactly.
 */
class GoldenTest {

    private static final String[] FILES = {"cross_entropy", "nll_loss", "bce", "bce_with_logits", "kl_div", "softmax", "info"};

    @TestFactory
    Stream<DynamicTest> pytorchGoldenCases() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String file : FILES) {
            JsonNode root;
            try (InputStream in = GoldenTest.class.getResourceAsStream("/golden/" + file + ".json")) {
                root = mapper.readTree(in);
            }
            for (JsonNode c : root.get("cases")) {
                tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> run(c)));
            }
        }
        assertTrue(tests.size() > 500, "fixtures hold several hundred cases");
        return tests.stream();
    }

    /** A tensor from the fixture, its data as double (exact for float32 and int64 values used here). */
    record T(int[] shape, double[] data, boolean integer) {
        static T of(JsonNode n) {
            if (n == null || n.isNull()) {
                return null;
            }
            int[] shape = new int[n.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = n.get("shape").get(i).asInt();
            }
            JsonNode d = n.get("data");
            double[] data = new double[d.size()];
            for (int i = 0; i < data.length; i++) {
                data[i] = d.get(i).isTextual() ? Double.parseDouble(d.get(i).asText()) : d.get(i).asDouble();
            }
            return new T(shape, data, n.get("dtype").asText().startsWith("int"));
        }

        float[] f() {
            float[] a = new float[data.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) data[i];
            }
            return a;
        }

        int[] ints() {
            int[] a = new int[data.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = (int) data[i];
            }
            return a;
        }
    }

    /** Outputs of one call: the loss output (scalar or per position) and the gradient. */
    record Out(double[] output, double[] grad) {
    }

    private static double[] d(float[] a) {
        if (a == null) {
            return null;
        }
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    private static void run(JsonNode c) {
        String fn = c.get("fn").asText();
        boolean f32 = c.get("dtype").asText().equals("float32");
        T x = T.of(c.get("input"));
        T t = T.of(c.get("target"));
        T up = T.of(c.get("upstream"));
        JsonNode o = c.has("options") ? c.get("options") : mapperEmpty();
        if (c.has("error")) {
            assertThrows(IllegalArgumentException.class, () -> call(fn, f32, x, t, up, o),
                    "PyTorch rejects this: " + c.get("error").get("message").asText());
            return;
        }
        Out out = call(fn, f32, x, t, up, o);
        JsonNode e = c.get("expected");
        String id = c.get("id").asText();
        compare(id + " output", T.of(e.get("output")).data(), out.output(), f32);
        T grad = T.of(e.get("grad"));
        if (grad != null) {
            compare(id + " grad", grad.data(), out.grad(), f32);
        }
    }

    private static JsonNode mapperEmpty() {
        return new ObjectMapper().createObjectNode();
    }

    private static Reduction reduction(JsonNode o) {
        return o.has("reduction") ? Reduction.parse(o.get("reduction").asText()) : Reduction.MEAN;
    }

    private static double[] weights(JsonNode o, String key) {
        T w = T.of(o.get(key));
        return w == null ? null : w.data();
    }

    private static int[] weightShape(JsonNode o, String key) {
        T w = T.of(o.get(key));
        return w == null ? null : w.shape();
    }

    /** Runs the xent4j counterpart of one fixture case. */
    private static Out call(String fn, boolean f32, T x, T t, T up, JsonNode o) {
        Reduction r = reduction(o);
        switch (fn) {
            case "cross_entropy": {
                boolean probs = CrossEntropyLoss.isProbabilityTarget(x.shape(), t.shape(), t.integer());
                CrossEntropyLoss.Builder b = CrossEntropyLoss.builder().reduction(r).weight(weights(o, "weight"));
                if (o.has("ignore_index")) {
                    b.ignoreIndex(o.get("ignore_index").asInt());
                }
                if (o.has("label_smoothing")) {
                    b.labelSmoothing(o.get("label_smoothing").asDouble());
                }
                CrossEntropyLoss loss = b.build();
                if (f32) {
                    float[] u = up == null ? null : up.f();
                    FloatResult res = probs ? loss.forwardBackward(x.f(), x.shape(), t.f(), u)
                            : loss.forwardBackward(x.f(), x.shape(), t.ints(), u);
                    return new Out(r == Reduction.NONE ? d(res.losses()) : new double[] {(float) res.value()}, d(res.gradient()));
                }
                double[] u = up == null ? null : up.data();
                DoubleResult res = probs ? loss.forwardBackward(x.data(), x.shape(), t.data(), u)
                        : loss.forwardBackward(x.data(), x.shape(), t.ints(), u);
                return new Out(r == Reduction.NONE ? res.losses() : new double[] {res.value()}, res.gradient());
            }
            case "nll_loss": {
                CrossEntropyLoss.isProbabilityTarget(x.shape(), t.shape(), true);
                NllLoss loss = NllLoss.builder().reduction(r).weight(weights(o, "weight"))
                        .ignoreIndex(o.has("ignore_index") ? o.get("ignore_index").asInt() : -100).build();
                if (f32) {
                    FloatResult res = loss.forwardBackward(x.f(), x.shape(), t.ints(), up == null ? null : up.f());
                    return new Out(r == Reduction.NONE ? d(res.losses()) : new double[] {(float) res.value()}, d(res.gradient()));
                }
                DoubleResult res = loss.forwardBackward(x.data(), x.shape(), t.ints(), up == null ? null : up.data());
                return new Out(r == Reduction.NONE ? res.losses() : new double[] {res.value()}, res.gradient());
            }
            case "binary_cross_entropy":
            case "binary_cross_entropy_with_logits":
            case "kl_div": {
                ElementwiseLoss.checkSameShape(x.shape(), t.shape());
                ElementwiseLoss loss;
                if (fn.equals("kl_div")) {
                    loss = KlDivLoss.builder().reduction(r).logTarget(o.has("log_target") && o.get("log_target").asBoolean()).build();
                } else if (fn.equals("binary_cross_entropy")) {
                    loss = BceLoss.builder().reduction(r).weight(weights(o, "weight"), weightShape(o, "weight")).build();
                } else {
                    loss = BceWithLogitsLoss.builder().reduction(r).weight(weights(o, "weight"), weightShape(o, "weight"))
                            .posWeight(weights(o, "pos_weight"), weightShape(o, "pos_weight")).build();
                }
                if (f32) {
                    FloatResult res = loss.forwardBackward(x.f(), x.shape(), t.f(), up == null ? null : up.f());
                    return new Out(r == Reduction.NONE ? d(res.losses()) : new double[] {(float) res.value()}, d(res.gradient()));
                }
                DoubleResult res = loss.forwardBackward(x.data(), x.shape(), t.data(), up == null ? null : up.data());
                return new Out(r == Reduction.NONE ? res.losses() : new double[] {res.value()}, res.gradient());
            }
            case "softmax":
            case "log_softmax": {
                boolean log = fn.equals("log_softmax");
                int dim = o.has("dim") ? o.get("dim").asInt() : 1;
                if (f32) {
                    Softmax s = Softmax.DEFAULTS;
                    float[] y = log ? s.logSoftmax(x.f(), x.shape(), dim) : s.softmax(x.f(), x.shape(), dim);
                    return new Out(d(y), up == null ? null : d(log ? s.logSoftmaxBackward(y, up.f(), x.shape(), dim)
                            : s.softmaxBackward(y, up.f(), x.shape(), dim)));
                }
                Softmax s = Softmax.DEFAULTS;
                double[] y = log ? s.logSoftmax(x.data(), x.shape(), dim) : s.softmax(x.data(), x.shape(), dim);
                return new Out(y, up == null ? null : log ? s.logSoftmaxBackward(y, up.data(), x.shape(), dim)
                        : s.softmaxBackward(y, up.data(), x.shape(), dim));
            }
            case "entropy": {
                double[] h = f32 ? Distributions.entropy(x.f(), x.shape()) : Distributions.entropy(x.data(), x.shape());
                double[] u = up == null ? ones(h.length) : up.data();
                return new Out(f32 ? d(toFloat(h)) : h, Distributions.entropyGradient(x.data(), x.shape(), u));
            }
            case "cross_entropy_dist":
            case "kl_dist": {
                boolean kl = fn.equals("kl_dist");
                double[] h = f32
                        ? (kl ? Distributions.klDivergence(x.f(), x.shape(), t.f()) : Distributions.crossEntropy(x.f(), x.shape(), t.f()))
                        : (kl ? Distributions.klDivergence(x.data(), x.shape(), t.data()) : Distributions.crossEntropy(x.data(), x.shape(), t.data()));
                double[] u = up == null ? ones(h.length) : up.data();
                return new Out(f32 ? d(toFloat(h)) : h, Distributions.crossEntropyGradient(x.data(), x.shape(), t.data(), u));
            }
            default:
                fail("unknown fn " + fn);
                return null;
        }
    }

    private static double[] ones(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    private static void compare(String what, double[] expected, double[] actual, boolean f32) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 1;
        for (double v : expected) {
            if (Double.isFinite(v)) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        double rtol = f32 ? 1e-5 : 1e-12;
        double atol = (f32 ? 1e-6 : 1e-12) * scale;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                assertEquals(e, a, what + "[" + i + "] special value");
            } else {
                assertTrue(Math.abs(a - e) <= atol + rtol * Math.abs(e),
                        what + "[" + i + "]: expected " + e + " but was " + a);
            }
        }
    }
}
