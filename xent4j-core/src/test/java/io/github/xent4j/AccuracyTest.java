package io.github.xent4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mean cross-entropy of 1,000,000 x 100 float32 logits against a float64 reference, for xent4j
 * and for PyTorch float32 on the same data (accuracy/gen_accuracy.py records PyTorch's numbers;
 * both sides regenerate the data with splitmix64). xent4j accumulates in double, so its float32
 * result must be no worse than PyTorch's.
 */
class AccuracyTest {

    private static long[] splitmix64(long seed, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long z = seed + (i + 1L) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            out[i] = z ^ (z >>> 31);
        }
        return out;
    }

    @Test
    void meanOfAHundredMillionLogitsIsNoWorseThanPytorchFloat32() throws IOException {
        JsonNode ref;
        try (InputStream in = AccuracyTest.class.getResourceAsStream("/accuracy/accuracy.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        int n = ref.get("n").asInt();
        int c = ref.get("c").asInt();
        long[] bits = splitmix64(ref.get("logits_seed").asLong(), n * c);
        float[] logits = new float[n * c];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (((bits[i] >>> 40) / (double) (1 << 24) - 0.5) * 16.0);
        }
        bits = null;
        long[] tbits = splitmix64(ref.get("targets_seed").asLong(), n);
        int[] target = new int[n];
        for (int i = 0; i < n; i++) {
            target[i] = (int) Long.remainderUnsigned(tbits[i] >>> 33, c);
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(ref.get("first_logits").get(i).asDouble(), logits[i], 0.0, "same data as the generator");
            assertEquals(ref.get("first_targets").get(i).asInt(), target[i], "same targets as the generator");
        }
        double reference = ref.get("float64_reference_mean").asDouble();
        double torch32 = ref.get("torch_float32_mean").asDouble();
        double mean = CrossEntropyLoss.builder().threads(2).build().value(logits, new int[] {n, c}, target);
        double errXent = Math.abs((float) mean - reference);
        double errTorch = Math.abs(torch32 - reference);
        System.out.printf("accuracy, mean CE of %d x %d float32 logits vs float64 reference %.12f:%n"
                        + "  xent4j float32 %.9f (error %.3g; before rounding to float %.3g)%n"
                        + "  torch  float32 %.9f (error %.3g)%n",
                n, c, reference, (float) mean, errXent, Math.abs(mean - reference), torch32, errTorch);
        assertTrue(errXent <= errTorch, "xent4j error " + errXent + " > torch error " + errTorch);
        assertEquals(reference, mean, 1e-12 * reference, "double accumulation keeps ~1e-12 relative");
    }
}
