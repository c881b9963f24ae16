package io.github.xent4j.cli.explain;

import io.github.xent4j.BceLoss;
import io.github.xent4j.BceWithLogitsLoss;
import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.Distributions;
import io.github.xent4j.Reduction;
import io.github.xent4j.Softmax;
import io.github.xent4j.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code xent demo}: the tutorial's check, reproduced with xent4j. Like the tutorial it works in
 * float32 (PyTorch's default dtype); every number comes from xent4j's core.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Reproduces the tutorial's check (mean cross-entropy 1.1465588) with xent4j.",
                "",
                "Softmax of logits [[0.1,0.3,0.6],[0.3,0.2,0.5]] with targets [0,2], -log p of the true class per "
                        + "sample and their mean computed by hand, and xent4j's cross_entropy beside it; then the "
                        + "binary case and one-hot / probability targets. Computed in float32, PyTorch's default dtype.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  xent demo", "  xent demo --lang zh"})
public final class DemoCommand implements Callable<Integer> {

    private static final float[] LOGITS = {0.1f, 0.3f, 0.6f, 0.3f, 0.2f, 0.5f};
    private static final int[] SHAPE = {2, 3};
    private static final int[] TARGET = {0, 2};

    @Spec
    CommandSpec spec;

    @Option(names = "--lang", paramLabel = "LANG", defaultValue = "en",
            description = "${COMPLETION-CANDIDATES}: English (default) or Chinese, the tutorial's language.")
    Lang lang;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Lang l = lang;
        multiClass(out, l);
        binary(out, l);
        probabilityTargets(out, l);
        out.flush();
        return ExitCode.OK;
    }

    private static void multiClass(PrintWriter out, Lang l) {
        out.println(l.t("xent demo: the tutorial's check, with xent4j (float32, as PyTorch's default)",
                "xent demo：用 xent4j 重现教程中的验证和对比（float32，与 PyTorch 默认一致）"));
        out.println();
        out.println(l.t("1. Multi-class cross-entropy", "1. 多分类交叉熵"));
        out.println(l.t("   y_hat = [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]   network output (logits, before softmax)",
                "   y_hat = [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]   网络输出（未经过softmax）"));
        out.println(l.t("   y     = [0, 2]                               true classes", "   y     = [0, 2]                               真实类别标签"));
        float[] p = Softmax.DEFAULTS.softmax(LOGITS, SHAPE, 1);
        out.println();
        out.println(l.t("   softmax output:", "   softmax输出："));
        out.println("     [[" + f4(p[0]) + ", " + f4(p[1]) + ", " + f4(p[2]) + "],");
        out.println("      [" + f4(p[3]) + ", " + f4(p[4]) + ", " + f4(p[5]) + "]]"
                + l.t("      each row sums to 1", "      每行之和为 1"));
        // By hand, as the tutorial: softmax first, then -log of the true class's probability, then the mean.
        float[] oneHot = {1, 0, 0, 0, 0, 1};
        double[] manual = Distributions.crossEntropy(p, SHAPE, oneHot);
        double manualMean = (manual[0] + manual[1]) / 2;
        out.println();
        out.println(l.t("   by hand: p = softmax(y_hat), -log p[y] per sample, then the mean",
                "   手动计算：先 softmax，再取真实类别的预测概率 p[y]，取 -log，最后求均值"));
        out.println("     " + l.t("sample 0", "样本 0") + ":  -log p[0][0] = -log " + f4(p[0]) + " = " + (float) manual[0]);
        out.println("     " + l.t("sample 1", "样本 1") + ":  -log p[1][2] = -log " + f4(p[5]) + " = " + (float) manual[1]);
        kv(out, l.t("     the average cross-entropy loss computed by hand:", "     手动计算的平均交叉熵损失："), (float) manualMean);
        double builtin = CrossEntropyLoss.DEFAULTS.value(LOGITS, SHAPE, TARGET);
        kv(out, l.t("     xent4j cross_entropy (log-softmax inside, as torch):", "     xent4j 内置 cross_entropy（内部自动做 log_softmax）："),
                (float) builtin);
        boolean same = Math.abs(manualMean - builtin) <= 1e-6 * Math.abs(builtin);
        out.println("     " + (same ? l.t("✓ the same (PyTorch prints 1.1465587615966797 for both)", "✓ 两者一致（PyTorch 对两者都输出 1.1465587615966797）")
                : l.t("✗ they differ", "✗ 两者不一致")));
        out.println();
    }

    private static void binary(PrintWriter out, Lang l) {
        out.println(l.t("2. Binary cross-entropy: y is 0 or 1, y_hat is the predicted probability of class 1",
                "2. 二分类交叉熵：真实标签 y 取值为 0 或 1，预测值 y_hat 是模型输出的类别 1 的概率"));
        float[] probs = {0.9f, 0.2f, 0.6f};
        float[] labels = {1, 0, 1};
        int[] shape = {3};
        out.println("   y_hat = [0.9, 0.2, 0.6]    y = [1, 0, 1]");
        out.println("   L = -[y · log y_hat + (1 - y) · log(1 - y_hat)]");
        float[] each = BceLoss.builder().reduction(Reduction.NONE).build().forward(probs, shape, labels).losses();
        out.println(l.t("   per sample: ", "   每个样本：") + each[0] + ", " + each[1] + ", " + each[2]
                + l.t("   (-log 0.9, -log(1 - 0.2), -log 0.6)", "   （-log 0.9，-log(1 - 0.2)，-log 0.6）"));
        double mean = BceLoss.DEFAULTS.value(probs, shape, labels);
        kv(out, l.t("   mean (bce):", "   平均（bce）："), (float) mean);
        float[] logits = new float[3];
        for (int i = 0; i < 3; i++) {
            logits[i] = (float) Math.log(probs[i] / (1 - probs[i]));
        }
        double withLogits = BceWithLogitsLoss.DEFAULTS.value(logits, shape, labels);
        kv(out, l.t("   bce-with-logits on z = log(y_hat / (1 - y_hat)):", "   bce-with-logits，logits z = log(y_hat / (1 - y_hat))："),
                (float) withLogits);
        // Binary is 2-class cross-entropy with logits [0, z]: softmax([0, z])[1] = sigmoid(z).
        float[] twoClass = new float[6];
        int[] classes = new int[3];
        for (int i = 0; i < 3; i++) {
            twoClass[2 * i + 1] = logits[i];
            classes[i] = (int) labels[i];
        }
        double ce = CrossEntropyLoss.DEFAULTS.value(twoClass, new int[] {3, 2}, classes);
        kv(out, l.t("   cross-entropy with 2 classes, logits [0, z]:", "   两类交叉熵，logits 为 [0, z]："),
                (float) ce + l.t("   (the same loss)", "   （同一个损失）"));
        out.println();
    }

    private static void probabilityTargets(PrintWriter out, Lang l) {
        out.println(l.t("3. One-hot and probability targets", "3. one-hot 与概率目标"));
        out.println(l.t("   the tutorial's example: the true class is \"dog\", p = [0, 1, 0]; the model predicts q = [0.2, 0.5, 0.3]",
                "   教程中的例子：真实类别是「狗」，p = [0, 1, 0]；模型预测 q = [0.2, 0.5, 0.3]"));
        double[] h = Distributions.crossEntropy(new double[] {0.2, 0.5, 0.3}, new int[] {3}, new double[] {0, 1, 0});
        out.println("   H(p, q) = -(0·log 0.2 + 1·log 0.5 + 0·log 0.3) = -log 0.5 = " + (float) h[0]);
        out.println();
        float[] oneHot = {1, 0, 0, 0, 0, 1};
        double asProbs = CrossEntropyLoss.DEFAULTS.value(LOGITS, SHAPE, oneHot);
        kv(out, l.t("   one-hot targets [[1,0,0],[0,0,1]]:", "   one-hot 目标 [[1,0,0],[0,0,1]]："),
                (float) asProbs + l.t("   (= class indices [0, 2])", "   （与类别索引 [0, 2] 相同）"));
        float[] soft = {0.7f, 0.2f, 0.1f, 0.1f, 0.1f, 0.8f};
        double softLoss = CrossEntropyLoss.DEFAULTS.value(LOGITS, SHAPE, soft);
        kv(out, l.t("   soft targets [[0.7,0.2,0.1],[0.1,0.1,0.8]]:", "   软目标 [[0.7,0.2,0.1],[0.1,0.1,0.8]]："), (float) softLoss);
        float[] q = Softmax.DEFAULTS.softmax(LOGITS, SHAPE, 1);
        double[] hpq = Distributions.crossEntropy(q, SHAPE, soft);
        double[] hp = Distributions.entropy(soft, SHAPE);
        double[] kl = Distributions.klDivergence(q, SHAPE, soft);
        out.println(l.t("     per sample, H(p, q) = H(p) + KL(p || q):", "     每个样本 H(p, q) = H(p) + KL(p || q)："));
        for (int i = 0; i < 2; i++) {
            out.println("       " + (float) hpq[i] + " = " + (float) hp[i] + " + " + (float) kl[i]);
        }
        // in float64, so that the smoothed targets below are not rounded to float32
        double[] logits64 = new double[LOGITS.length];
        for (int i = 0; i < LOGITS.length; i++) {
            logits64[i] = LOGITS[i];
        }
        double smoothed = CrossEntropyLoss.builder().labelSmoothing(0.1).build().value(logits64, SHAPE, TARGET);
        double e = 0.1 / 3;
        double[] smoothTargets = {0.9 + e, e, e, e, e, 0.9 + e};
        double smoothAsProbs = CrossEntropyLoss.DEFAULTS.value(logits64, SHAPE, smoothTargets);
        kv(out, l.t("   label smoothing 0.1 on [0, 2]:", "   对 [0, 2] 做 0.1 的标签平滑："), (float) smoothed);
        kv(out, l.t("   = the probability target (1 - 0.1)·one-hot + 0.1/3:", "   = 概率目标 (1 - 0.1)·one-hot + 0.1/3："), (float) smoothAsProbs);
    }

    /** A label padded to one column, then the value. */
    private static void kv(PrintWriter out, String label, Object value) {
        out.println(Style.padRight(label, 58) + " " + value);
    }

    private static String f4(float v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }
}
