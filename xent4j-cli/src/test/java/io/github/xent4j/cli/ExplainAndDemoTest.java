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

    @Test
    void explainFocalShowsTheDownWeightingOfEasySamples() {
        String out = run("explain", "--loss", "focal", "--gamma", "2", "--logits", "[[2,0,-1],[0.2,0.3,0.1],[0.1,3,0]]",
                "--target", "[0,2,1]").ok();
        assertContains(out, "Focal loss (softmax), step by step", "FL = -(1 - p_y)^gamma · log p_y",
                "p_y = 0.90  (1 - p_y)^gamma = 0.0100   the loss is cut to 1.0% of cross-entropy's",
                "sample 0   y = 0   p_y = 0.8438", "CE = -log p_y = 0.1698   (1 - p_y)^gamma = 0.0244   FL = 0.0041   (easy: down-weighted)",
                "(hard: kept)", "easy samples carry 18.3% of the cross-entropy but 0.9% of the focal loss",
                "xent4j: 0.19765598211807336", "4. Gradient");
        String zh = run("explain", "--loss", "focal", "--gamma", "2", "--logits", "[[2,0,-1],[0.2,0.3,0.1]]", "--target", "[0,2]",
                "--lang", "zh").ok();
        assertContains(zh, "Focal Loss（softmax 多分类）：逐步讲解", "调制因子 (1 - p_y)^gamma 降低容易样本的权重", "（容易样本：权重被降低）",
                "损失降为交叉熵的 1.0%");
        // gamma 0 is cross-entropy: the same value as xent cross-entropy's explanation
        String g0 = run("explain", "--loss", "focal", "--gamma", "0", "--logits", "[[0.1,0.3,0.6],[0.3,0.2,0.5]]", "--target", "[0,2]").ok();
        assertContains(g0, "loss = 1.1466");
    }

    @Test
    void explainDistillShowsHowTheTemperatureSoftensTheTeacher() {
        String out = run("explain", "--loss", "distill", "--temperature", "4", "--logits", "[[1,2,0.5]]", "--teacher", "[[3,1,0]]").ok();
        assertContains(out, "Knowledge distillation, step by step", "KD = T² · Σ_c q_c · (log q_c - log p_c)",
                "teacher, T = 1     0.8438   0.1142   0.0420", "teacher, T = 4     0.4810   0.2918   0.2272   (softer)",
                "KD = T² · KL(q ‖ p) = 0.9595", "the teacher's top probability, mean over samples: 0.8438 at T = 1, 0.4810 at T = 4",
                "Reduction: batchmean", "∂loss/∂student");
        String zh = run("explain", "--loss", "distill", "--temperature", "4", "--logits", "[[1,2,0.5]]", "--teacher", "[[3,1,0]]",
                "--lang", "zh").ok();
        assertContains(zh, "知识蒸馏：逐步讲解", "会让教师的分布变“软”", "教师，T = 4", "（更软）", "归约：batchmean");
        assertEquals(2, run("explain", "--loss", "distill", "--logits", "[[1,2]]").code());
        assertEquals(2, run("explain", "--loss", "distill", "--temperature", "0", "--logits", "[[1,2]]", "--teacher", "[[1,2]]").code());
        assertEquals(1, run("explain", "--loss", "distill", "--logits", "[[1,2]]", "--teacher", "[[1,2,3]]").code());
        assertEquals(2, run("explain", "--loss", "focal", "--gamma", "-1", "--logits", "[[1,2]]", "--target", "[0]").code());
    }
}
