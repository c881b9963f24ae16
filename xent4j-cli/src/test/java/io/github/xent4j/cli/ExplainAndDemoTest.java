package io.github.xent4j.cli;

import io.github.xent4j.cli.io.NdArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.github.xent4j.cli.Cli.npy;
import static io.github.xent4j.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExplainAndDemoTest {

    @TempDir
    Path dir;

    private static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue(text.contains(part), "missing '" + part + "' in:\n" + text);
        }
    }

    @Test
    void demoReproducesTheTutorialsCheck() {
        String out = run("demo").ok();
        assertContains(out, "[[0.2584, 0.3156, 0.4260],", "[0.3199, 0.2894, 0.3907]]",
                "-log p[0][0] = -log 0.2584 = 1.3532865", "-log p[1][2] = -log 0.3907 = 0.939831",
                "computed by hand:", "xent4j cross_entropy", "✓ the same",
                "Binary cross-entropy", "0.27977657", "H(p, q) = -(0·log 0.2 + 1·log 0.5 + 0·log 0.3) = -log 0.5 = 0.6931472");
        // the hand-computed mean and xent4j's, both 1.1465588
        assertEquals(2, out.split("1\\.1465588\\n", -1).length - 1, out);
    }

    @Test
    void demoInChinese() {
        String out = run("demo", "--lang", "zh").ok();
        assertContains(out, "softmax输出", "手动计算的平均交叉熵损失", "1.1465588", "二分类交叉熵", "真实标签 y 取值为 0 或 1", "「狗」");
    }

    @Test
    void explainShowsEveryStepWithTheCoresNumbers() {
        String out = run("explain", "--logits", "[[0.1,0.3,0.6],[0.3,0.2,0.5]]", "--target", "[0,2]").ok();
        assertContains(out, "1. The formula", "m = max_k x_k",
                "x - m           -0.5000  -0.3000   0.0000    m = 0.6000",
                "softmax p        0.2584   0.3156   0.4260",
                "█", "← y (true class)",
                "-log p_y = -log(0.2584) = 1.3533", "-log p_y = -log(0.3907) = 0.9398",
                "D = 2   (the number of samples whose target is not ignore_index)",
                "loss = 2.2931 / 2 = 1.1466      xent4j: 1.1465588080868547",
                "4. Gradient", "-0.3708   0.1578   0.2130");
    }

    @Test
    void explainWeightsSmoothingAndIgnoredSamples() {
        String out = run("explain", "--logits", "[[0.1,0.3,0.6],[0.3,0.2,0.5],[1,2,3]]", "--target", "[0,2,-100]",
                "--weight", "[1,2,3]", "--label-smoothing", "0.1").ok();
        assertContains(out, "label smoothing: q = (1 - ε) · one-hot(y) + ε / C",
                "target q         0.9333   0.0333   0.0333",
                "target -100 = ignore_index: skipped",
                "D = 4   (Σ w_y over the samples whose target is not ignore_index)",
                "(p · Σ_k w_k q_k - w ∘ q) / D");
        String mean = run("cross-entropy", "--input", Cli.text(dir, "x.json", "[[0.1,0.3,0.6],[0.3,0.2,0.5],[1,2,3]]").toString(),
                "--target", Cli.text(dir, "y.json", "[0,2,-100]").toString(), "--weight", Cli.text(dir, "w.json", "[1,2,3]").toString(),
                "--label-smoothing", "0.1").ok().strip();
        assertContains(out, "xent4j: " + mean);
    }

    @Test
    void explainInChineseUsesTheTutorialsTerms() {
        String out = run("explain", "--logits", "[[0.1,0.3,0.6]]", "--target", "[0]", "--lang", "zh").ok();
        assertContains(out, "交叉熵损失：逐步讲解", "真实类别", "softmax输出 p", "平均交叉熵损失", "梯度", "减去最大值 m 不改变结果");
        assertFalse(out.contains("sample"), out);
    }

    @Test
    void explainProbabilityTargetsAndBinaryCrossEntropy() {
        String probs = run("explain", "--logits", "[[0.1,0.3,0.6]]", "--target", "[[0.7,0.2,0.1]]").ok();
        assertContains(probs, "class probabilities", "L = -Σ_c q_c·log p_c", "the number of samples (weights never count)");
        String bce = run("explain", "--probs", "[0.9,0.2,0.6]", "--target", "[1,0,1]").ok();
        assertContains(bce, "Binary cross-entropy, step by step", "clamped at -100", "mean over all N = 3 elements",
                "xent4j: 0.27977656357934230");
        String zh = run("explain", "--probs", "[0.9,0.2,0.6]", "--target", "[1,0,1]", "--lang", "zh").ok();
        assertContains(zh, "二分类交叉熵", "无论样本是正样本（y = 1）还是负样本（y = 0）");
    }

    @Test
    void explainSummarisesALargeInput() {
        Path x = npy(dir, "x.npy", Data.randomFloats(500, 6, 11));
        Path y = npy(dir, "y.npy", Data.randomLabels(500, 6, 12));
        String out = run("explain", "--input", x.toString(), "--target", y.toString()).ok();
        assertContains(out, "2. Summary (500 samples, 6 classes", "accuracy (argmax p = y)", "per class (true class y):",
                "worst samples:", "mean loss", "xent4j: ");
        assertTrue(out.lines().count() < 50, "no flood: " + out.lines().count() + " lines");
        String mean = run("cross-entropy", "--input", x.toString(), "--target", y.toString()).ok().strip();
        assertEquals(Float.parseFloat(mean), (float) Double.parseDouble(out.replaceAll("(?s).*xent4j: (\\S+).*", "$1")), 1e-6f);
    }

    @Test
    void explainErrors() {
        assertTrue(run("explain", "--logits", "[[0.1,0.3,0.6]]", "--target", "[5]").badData()
                .contains("--target: target[0]=5 is out of bounds for 3 classes"));
        assertTrue(run("explain", "--logits", "[[0.1,0.3", "--target", "[0]").badData().startsWith("xent explain: --logits"));
        assertTrue(run("explain", "--logits", "[[0.1]]", "--probs", "[0.1]", "--target", "[0]").badUsage().contains("mutually exclusive"));
        assertTrue(run("explain", "--probs", "[1.5]", "--target", "[1]").badData().contains("is not a probability in [0, 1]"));
        assertTrue(run("explain", "--logits", "[[0.1]]", "--target", "[0]", "--loss", "bce").badUsage().contains("--loss bce does not take --logits"));
    }
}
