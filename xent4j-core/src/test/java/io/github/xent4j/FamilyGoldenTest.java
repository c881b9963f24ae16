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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every case of golden/family.json (made by golden/gen_family.py from PyTorch 1.13's composite
 * formulas with autograd): sigmoid focal, softmax focal, poly-1, cross-entropy with z-loss and
 * distillation, values and gradients, float32 through the float[] API and float64 through the
 * double[] API. Tolerances as {@link GoldenTest} (the expected values are float64 evaluations, so
 * float32 is held to 1e-5 relative plus 1e-6 of the case's largest value).
 */
class FamilyGoldenTest {

    @TestFactory
    Stream<DynamicTest> pytorchFamilyCases() throws IOException {
        JsonNode root;
        try (InputStream in = FamilyGoldenTest.class.getResourceAsStream("/golden/family.json")) {
            root = new ObjectMapper().readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> run(c)));
        }
        assertTrue(tests.size() > 500, "fixtures hold several hundred cases");
        return tests.stream();
    }

    private static void run(JsonNode c) {
        String fn = c.get("fn").asText();
        boolean f32 = c.get("dtype").asText().equals("float32");
        GoldenTest.T x = GoldenTest.T.of(c.get("input"));
        GoldenTest.T t = GoldenTest.T.of(c.get("target"));
        GoldenTest.T teacher = GoldenTest.T.of(c.get("teacher"));
        GoldenTest.T up = GoldenTest.T.of(c.get("upstream"));
        JsonNode o = c.get("options");
        Reduction r = Reduction.parse(o.get("reduction").asText());
        double[] weight = o.has("weight") ? toArray(o.get("weight")) : null;
        double[][] out = switch (fn) {
            case "sigmoid_focal_loss" -> {
                SigmoidFocalLoss loss = SigmoidFocalLoss.builder().alpha(o.get("alpha").asDouble())
                        .gamma(o.get("gamma").asDouble()).reduction(r).build();
                yield f32 ? fl(r, loss.forwardBackward(x.f(), x.shape(), t.f(), up.f()))
                        : dl(r, loss.forwardBackward(x.data(), x.shape(), t.data(), up.data()));
            }
            case "focal_loss" -> {
                FocalLoss loss = FocalLoss.builder().gamma(o.get("gamma").asDouble()).weight(weight)
                        .ignoreIndex(o.get("ignore_index").asInt()).labelSmoothing(o.get("label_smoothing").asDouble())
                        .reduction(r).build();
                yield f32 ? fl(r, loss.forwardBackward(x.f(), x.shape(), t.ints(), up.f()))
                        : dl(r, loss.forwardBackward(x.data(), x.shape(), t.ints(), up.data()));
            }
            case "poly_cross_entropy" -> {
                PolyLoss loss = PolyLoss.builder().epsilon(o.get("epsilon").asDouble()).weight(weight)
                        .ignoreIndex(t.integer() ? o.get("ignore_index").asInt() : -100)
                        .labelSmoothing(o.get("label_smoothing").asDouble()).reduction(r).build();
                if (t.integer()) {
                    yield f32 ? fl(r, loss.forwardBackward(x.f(), x.shape(), t.ints(), up.f()))
                            : dl(r, loss.forwardBackward(x.data(), x.shape(), t.ints(), up.data()));
                }
                yield f32 ? fl(r, loss.forwardBackward(x.f(), x.shape(), t.f(), up.f()))
                        : dl(r, loss.forwardBackward(x.data(), x.shape(), t.data(), up.data()));
            }
            case "cross_entropy_z" -> {
                CrossEntropyLoss loss = CrossEntropyLoss.builder().zLoss(o.get("z_loss").asDouble()).weight(weight)
                        .ignoreIndex(o.get("ignore_index").asInt()).labelSmoothing(o.get("label_smoothing").asDouble())
                        .reduction(r).build();
                if (t.integer()) {
                    yield f32 ? fl(r, loss.forwardBackward(x.f(), x.shape(), t.ints(), up.f()))
                            : dl(r, loss.forwardBackward(x.data(), x.shape(), t.ints(), up.data()));
                }
                yield f32 ? fl(r, loss.forwardBackward(x.f(), x.shape(), t.f(), up.f()))
                        : dl(r, loss.forwardBackward(x.data(), x.shape(), t.data(), up.data()));
            }
            case "distillation" -> {
                DistillationLoss loss = DistillationLoss.builder().temperature(o.get("temperature").asDouble())
                        .alpha(o.get("alpha").asDouble()).teacherLogProbs(o.get("teacher_log_probs").asBoolean())
                        .ignoreIndex(o.get("ignore_index").asInt()).reduction(r).build();
                int[] y = t == null ? null : t.ints();
                yield f32 ? fl(r, loss.forwardBackward(x.f(), x.shape(), teacher.f(), y, up.f()))
                        : dl(r, loss.forwardBackward(x.data(), x.shape(), teacher.data(), y, up.data()));
            }
            default -> {
                fail("unknown fn " + fn);
                yield null;
            }
        };
        String id = c.get("id").asText();
        JsonNode e = c.get("expected");
        compare(id + " output", GoldenTest.T.of(e.get("output")).data(), out[0], f32);
        compare(id + " grad", GoldenTest.T.of(e.get("grad")).data(), out[1], f32);
    }

    private static double[] toArray(JsonNode a) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).asDouble();
        }
        return r;
    }

    private static double[] d(float[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    private static double[][] fl(Reduction r, FloatResult res) {
        return new double[][] {r == Reduction.NONE ? d(res.losses()) : new double[] {(float) res.value()}, d(res.gradient())};
    }

    private static double[][] dl(Reduction r, DoubleResult res) {
        return new double[][] {r == Reduction.NONE ? res.losses() : new double[] {res.value()}, res.gradient()};
    }

    static void compare(String what, double[] expected, double[] actual, boolean f32) {
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
                assertTrue(Math.abs(a - e) <= atol + rtol * Math.abs(e), what + "[" + i + "]: expected " + e + " but was " + a);
            }
        }
    }
}
