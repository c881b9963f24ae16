package io.github.xent4j.cli.explain;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.LossSum;
import io.github.xent4j.DoubleResult;
import io.github.xent4j.Reduction;
import io.github.xent4j.Softmax;
import io.github.xent4j.cli.data.Dims;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Prints cross-entropy the way the tutorial teaches it: the formula, the max shift, softmax per
 * sample with a bar chart, -log p of the true class, the weights and the exact MEAN denominator,
 * label smoothing's target distribution, and the gradient rows. Every softmax, log-probability,
 * loss and gradient printed comes from xent4j's core; this class only lays them out.
 */
final class CrossEntropyExplainer {

    /** Worst samples listed in a summary. */
    private static final int WORST = 5;

    private final Lang l;
    private final PrintWriter out;
    private final double[] x;
    private final int[] shape;
    private final long[] positionsShape;
    private final int[] target;
    private final double[] targetProbs;
    private final double[] weight;
    private final int ignoreIndex;
    private final double eps;
    private final Reduction reduction;
    /** The core's pair of the per-position losses: their exact sum and the MEAN denominator. */
    private LossSum pair;
    private final String names;
    private final int classes;
    private final int inner;
    private final int positions;
    private final boolean smoothing;

    CrossEntropyExplainer(Lang l, PrintWriter out, double[] x, int[] shape, int[] target, double[] targetProbs,
                          double[] weight, int ignoreIndex, double eps, Reduction reduction, String names) {
        this.l = l;
        this.out = out;
        this.x = x;
        this.shape = shape;
        this.target = target;
        this.targetProbs = targetProbs;
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
        this.eps = eps;
        this.reduction = reduction;
        this.names = names;
        this.classes = shape.length == 1 ? shape[0] : shape[1];
        int in = 1;
        for (int i = 2; i < shape.length; i++) {
            in *= shape[i];
        }
        this.inner = in;
        this.positions = shape.length == 1 ? 1 : shape[0] * in;
        long[] ps = new long[shape.length == 1 ? 0 : shape.length - 1];
        for (int i = 0, j = 0; i < shape.length && shape.length > 1; i++) {
            if (i != 1) {
                ps[j++] = shape[i];
            }
        }
        this.positionsShape = ps;
        this.smoothing = eps > 0;
    }

    void print(int detailLimit) {
        int classDim = shape.length == 1 ? 0 : 1;
        double[] p = Softmax.DEFAULTS.softmax(x, shape, classDim);
        double[] logp = Softmax.DEFAULTS.logSoftmax(x, shape, classDim);
        CrossEntropyLoss.Builder b = CrossEntropyLoss.builder().weight(weight).ignoreIndex(ignoreIndex).labelSmoothing(eps);
        CrossEntropyLoss none = b.reduction(Reduction.NONE).build();
        CrossEntropyLoss reduced = b.reduction(reduction).build();
        double[] losses = new double[positions];
        pair = target != null ? none.partial(x, shape, target, 1.0, null, losses, null)
                : none.partial(x, shape, targetProbs, 1.0, null, losses, null);
        DoubleResult result = target != null ? reduced.forwardBackward(x, shape, target)
                : reduced.forwardBackward(x, shape, targetProbs);
        header();
        formula();
        boolean detailed = positions <= detailLimit && classes <= 12;
        if (detailed) {
            samples(p, logp, losses);
        } else {
            summary(p, losses);
        }
        reductionStep(losses, result.value(), detailed);
        if (detailed) {
            gradient(result.gradient());
        } else {
            out.println();
            out.println(l.t("The gradient has the input's shape; write it with: xent cross-entropy ... --grad G.npy",
                    "梯度与输入同形状；可用 xent cross-entropy ... --grad G.npy 写出。"));
        }
    }

    // ------------------------------------------------------------------ sections

    private void header() {
        out.println(l.t("Cross-entropy, step by step", "交叉熵损失：逐步讲解"));
        out.println(l.t("(every softmax, log, loss and gradient below is computed by xent4j's core, in float64)",
                "（以下的 softmax、对数、损失和梯度均由 xent4j 核心库以 float64 计算）"));
        out.println();
        int n = shape.length == 1 ? 1 : shape[0];
        String shapeText = Dims.format(toLong(shape));
        String kind = target != null
                ? l.t("class indices (true labels)", "类别索引（真实标签）")
                : l.t("class probabilities (a target distribution per sample)", "类别概率（每个样本一个目标分布）");
        out.println(l.t("Input:   logits x of shape " + shapeText + ": " + samplesText(n) + ", " + classes + " classes",
                "输入：  logits x，形状 " + shapeText + "：" + samplesText(n) + "，" + classes + " 个类别"));
        out.println(l.t("Target:  " + kind, "目标：  " + kind) + "   " + names);
        StringBuilder opts = new StringBuilder();
        opts.append(l.t("weight ", "权重 ")).append(weight == null ? l.t("none", "无") : vector(weight));
        if (target != null) {
            opts.append(" · ignore_index ").append(ignoreIndex);
        }
        opts.append(" · label_smoothing ").append(smoothing ? Style.num(eps) : "0");
        opts.append(" · reduction ").append(reduction.torchName());
        out.println(l.t("Options: ", "选项：  ") + opts);
    }

    private String samplesText(int n) {
        if (shape.length == 1) {
            return l.t("1 sample (unbatched)", "1 个样本（无 batch 维）");
        }
        if (shape.length > 2) {
            return l.t(n + " samples × " + (positions / Math.max(1, n)) + " positions = " + positions + " positions",
                    n + " 个样本 × 每个 " + (positions / Math.max(1, n)) + " 个位置 = " + positions + " 个位置");
        }
        return l.t(n + (n == 1 ? " sample" : " samples"), n + " 个样本");
    }

    private void formula() {
        out.println();
        out.println(l.t("1. The formula", "1. 公式"));
        out.println(l.t("   softmax   p_c = exp(x_c - m) / Σ_k exp(x_k - m),   m = max_k x_k",
                "   softmax   p_c = exp(x_c - m) / Σ_k exp(x_k - m)，  m = max_k x_k"));
        out.println(l.t("             (subtracting the max m changes nothing but keeps exp from overflowing)",
                "             （减去最大值 m 不改变结果，只是防止 exp 溢出）"));
        boolean plain = target != null && !smoothing;
        if (plain) {
            String lossFormula = weight != null ? "L = w_y · (-log p_y)" : "L = -log p_y";
            out.println(l.t("   loss      " + lossFormula + "   (y = the true class: only its predicted probability counts)",
                    "   损失      " + lossFormula + "   （y 为真实类别：只有真实类别的预测概率参与计算）"));
        } else {
            out.println(l.t("   loss      L = -Σ_c " + (weight != null ? "w_c · " : "") + "q_c · log p_c   (q = the target distribution)",
                    "   损失      L = -Σ_c " + (weight != null ? "w_c · " : "") + "q_c · log p_c   （q 为目标分布）"));
            if (target != null) {
                out.println(l.t("             label smoothing: q = (1 - ε) · one-hot(y) + ε / C",
                        "             标签平滑：q = (1 - ε) · one-hot(y) + ε / C"));
            } else if (smoothing) {
                out.println(l.t("             label smoothing: q = (1 - ε) · t + ε / C", "             标签平滑：q = (1 - ε) · t + ε / C"));
            }
        }
        switch (reduction) {
            case MEAN -> out.println(l.t("   mean      loss = Σ_s L_s / D,   D = " + denominatorText(),
                    "   平均      loss = Σ_s L_s / D，  D = " + denominatorText()));
            case SUM -> out.println(l.t("   sum       loss = Σ_s L_s", "   求和      loss = Σ_s L_s"));
            default -> out.println(l.t("   none      one loss L_s per sample", "   none      每个样本一个损失 L_s"));
        }
        String grad;
        if (plain) {
            grad = (weight != null ? "w_y · " : "") + "(p - one-hot(y))";
        } else if (weight == null) {
            grad = "(p - q)";
        } else {
            grad = "(p · Σ_k w_k q_k - w ∘ q)";
        }
        String over = reduction == Reduction.MEAN ? " / D" : "";
        out.println(l.t("   gradient  ∂loss/∂x = " + grad + over + "   (softmax minus the target)",
                "   梯度      ∂loss/∂x = " + grad + over + "   （softmax输出减去目标）"));
    }

    private String denominatorText() {
        if (target == null) {
            return l.t("the number of samples (weights never count)", "样本数（权重不计入）");
        }
        if (weight != null) {
            return l.t("Σ w_y over the samples whose target is not ignore_index",
                    "未被忽略（target ≠ ignore_index）的样本的 w_y 之和");
        }
        return l.t("the number of samples whose target is not ignore_index",
                "未被忽略（target ≠ ignore_index）的样本数");
    }

    private void samples(double[] p, double[] logp, double[] losses) {
        out.println();
        out.println(l.t("2. Sample by sample", "2. 逐个样本"));
        for (int s = 0; s < positions; s++) {
            int base = (s / inner) * classes * inner + s % inner;
            out.println();
            boolean ignored = target != null && target[s] == ignoreIndex;
            String head = l.t("   sample " + sampleName(s), "   样本 " + sampleName(s));
            if (target != null) {
                head += ignored
                        ? l.t(" · target " + target[s] + " = ignore_index: skipped (loss 0, not counted in D)",
                        " · target " + target[s] + " = ignore_index：跳过（损失为 0，不计入 D）")
                        : l.t(" · true class y = " + target[s], " · 真实类别 y = " + target[s]);
            }
            out.println(head);
            double m = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                m = Math.max(m, x[base + c * inner]);
            }
            double[] shifted = new double[classes];
            double[] e = new double[classes];
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                shifted[c] = x[base + c * inner] - m;
                e[c] = Math.exp(shifted[c]);
                sum += e[c];
            }
            String label = l.t("softmax p", "softmax输出 p");
            int lw = Math.max(14, Style.displayWidth(label) + 2);
            out.println("     " + Style.padRight("x", lw) + Style.row(x, base, inner, classes));
            out.println("     " + Style.padRight("x - m", lw) + Style.row(shifted, 0, 1, classes) + "    m = " + Style.num(m));
            out.println("     " + Style.padRight("exp(x - m)", lw) + Style.row(e, 0, 1, classes) + "    Σ = " + Style.num(sum));
            out.println("     " + Style.padRight(label, lw) + Style.row(p, base, inner, classes)
                    + l.t("    = exp(x - m) / Σ", "    = exp(x - m) / Σ"));
            for (int c = 0; c < classes; c++) {
                double pc = p[base + c * inner];
                String mark = target != null && !ignored && c == target[s] ? l.t("  ← y (true class)", "  ← y（真实类别）") : "";
                out.println("       " + l.t("class ", "类别 ") + Style.pad(Integer.toString(c), 2) + "  "
                        + Style.padRight(Style.bar(pc, 20), 21) + " " + Style.num(pc) + mark);
            }
            if (ignored) {
                continue;
            }
            if (target != null && !smoothing) {
                int y = target[s];
                double py = p[base + y * inner];
                double nl = -logp[base + y * inner];
                String w = weight == null ? "" : "   · w_y = " + Style.count(weight[y]) + "  →  L = " + Style.num(losses[s]);
                out.println("     -log p_y = -log(" + Style.num(py) + ") = " + Style.num(nl) + w);
            } else {
                double[] q = targetDistribution(s, base);
                out.println("     " + Style.padRight(l.t("target q", "目标分布 q"), lw) + Style.row(q, 0, 1, classes));
                StringBuilder terms = new StringBuilder();
                for (int c = 0; c < classes; c++) {
                    terms.append(c == 0 ? "" : " + ");
                    terms.append(weight == null ? "" : Style.count(weight[c]) + "·").append(Style.num(q[c]))
                            .append("·").append(Style.num(-logp[base + c * inner]));
                }
                out.println("     L = -Σ_c " + (weight != null ? "w_c·" : "") + "q_c·log p_c = " + (classes <= 4 ? terms + " = " : "")
                        + Style.num(losses[s]));
            }
        }
    }

    /** q for a sample: the given probabilities, or one-hot(y) smoothed; (1 - ε)·t + ε/C when smoothing probabilities. */
    private double[] targetDistribution(int s, int base) {
        double[] q = new double[classes];
        for (int c = 0; c < classes; c++) {
            double t = target != null ? (c == target[s] ? 1 : 0) : targetProbs[base + c * inner];
            q[c] = smoothing ? (1 - eps) * t + eps / classes : t;
        }
        return q;
    }

    private void summary(double[] p, double[] losses) {
        out.println();
        out.println(l.t("2. Summary (" + positions + " samples, " + classes + " classes: too many to show one by one)",
                "2. 汇总（" + positions + " 个样本、" + classes + " 个类别，逐个列出太多）"));
        int[] cls = new int[positions];
        int[] pred = new int[positions];
        double[] py = new double[positions];
        boolean[] valid = new boolean[positions];
        int correct = 0;
        int counted = 0;
        for (int s = 0; s < positions; s++) {
            int base = (s / inner) * classes * inner + s % inner;
            int best = 0;
            int truth = 0;
            for (int c = 1; c < classes; c++) {
                if (p[base + c * inner] > p[base + best * inner]) {
                    best = c;
                }
                if (target == null && targetProbs[base + c * inner] > targetProbs[base + truth * inner]) {
                    truth = c;
                }
            }
            pred[s] = best;
            valid[s] = target == null || target[s] != ignoreIndex;
            if (!valid[s]) {
                continue;
            }
            cls[s] = target != null ? target[s] : truth;
            py[s] = p[base + cls[s] * inner];
            counted++;
            correct += pred[s] == cls[s] ? 1 : 0;
        }
        out.println(l.t("   accuracy (argmax p = " + (target != null ? "y" : "argmax q") + "): ",
                "   准确率（argmax p = " + (target != null ? "y" : "argmax q") + "）：")
                + correct + " / " + counted + (counted > 0 ? Style.fmt(" = %.1f%%", 100.0 * correct / counted) : ""));
        out.println();
        out.println(l.t("   per class (" + (target != null ? "true class y" : "dominant target class") + "):",
                "   按类别（" + (target != null ? "真实类别 y" : "目标分布的最大类别") + "）："));
        out.println("   " + Style.padRight(l.t("class", "类别"), 7) + Style.pad(l.t("count", "样本数"), 9)
                + Style.pad(l.t("mean loss", "平均损失"), 12) + Style.pad(l.t("mean p_y", "平均 p_y"), 11));
        double[] sumLoss = new double[classes];
        double[] sumP = new double[classes];
        int[] count = new int[classes];
        for (int s = 0; s < positions; s++) {
            if (valid[s]) {
                count[cls[s]]++;
                sumLoss[cls[s]] += losses[s];
                sumP[cls[s]] += py[s];
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            if (count[c] > 0) {
                order.add(c);
            }
        }
        if (order.size() > 20) {
            order.sort(Comparator.comparingDouble((Integer c) -> -sumLoss[c] / count[c]));
            out.println(l.t("   (the 20 classes with the highest mean loss of " + order.size() + ")",
                    "   （" + order.size() + " 个类别中平均损失最高的 20 个）"));
            order = order.subList(0, 20);
        }
        for (int c : order) {
            out.println("   " + Style.padRight(Integer.toString(c), 7) + Style.pad(Integer.toString(count[c]), 9)
                    + Style.cell(sumLoss[c] / count[c], 12) + Style.cell(sumP[c] / count[c], 11));
        }
        List<Integer> worst = new ArrayList<>();
        for (int s = 0; s < positions; s++) {
            if (valid[s]) {
                worst.add(s);
            }
        }
        worst.sort(Comparator.comparingDouble((Integer s) -> -losses[s]).thenComparingInt(s -> s));
        out.println();
        out.println(l.t("   worst samples:", "   损失最大的样本："));
        out.println("   " + Style.padRight(l.t("sample", "样本"), 14) + Style.pad("y", 6) + Style.pad(l.t("argmax p", "预测类别"), 10)
                + Style.pad("p_y", 9) + Style.pad(l.t("loss", "损失"), 10));
        for (int s : worst.subList(0, Math.min(WORST, worst.size()))) {
            out.println("   " + Style.padRight(sampleName(s), 14) + Style.pad(Integer.toString(cls[s]), 6)
                    + Style.pad(Integer.toString(pred[s]), 10) + Style.cell(py[s], 9) + Style.cell(losses[s], 10));
        }
    }

    private void reductionStep(double[] losses, double value, boolean detailed) {
        out.println();
        double sum = pair.sum();
        double denominator = pair.denominator();
        switch (reduction) {
            case MEAN -> {
                out.println(l.t("3. Reduction: mean (the average cross-entropy over the batch)", "3. 归约：mean（平均交叉熵损失）"));
                out.println("   Σ_s L_s = " + (detailed && positions > 1 && positions <= 6 ? joinLosses(losses) + " = " : "") + Style.num(sum));
                out.println("   D = " + Style.count(denominator) + l.t("   (" + denominatorText() + ")", "   （" + denominatorText() + "）"));
                out.println("   loss = " + Style.num(sum) + " / " + Style.count(denominator) + " = " + Style.num(value)
                        + l.t("      xent4j: ", "      xent4j：") + Style.exact(value));
                if (target != null && !(denominator != 0)) {
                    out.println(l.t("   D = 0: no sample counts, so the mean is 0/0 = nan (as PyTorch)",
                            "   D = 0：没有样本参与，平均值为 0/0 = nan（与 PyTorch 一致）"));
                }
            }
            case SUM -> {
                out.println(l.t("3. Reduction: sum", "3. 归约：sum（求和）"));
                out.println("   loss = Σ_s L_s = " + (detailed && positions > 1 && positions <= 6 ? joinLosses(losses) + " = " : "") + Style.num(value)
                        + l.t("      xent4j: ", "      xent4j：") + Style.exact(value));
            }
            default -> {
                out.println(l.t("3. Reduction: none (one loss per sample)", "3. 归约：none（每个样本一个损失）"));
                if (detailed) {
                    for (int s = 0; s < positions; s++) {
                        out.println("   L[" + sampleName(s) + "] = " + Style.exact(losses[s]));
                    }
                } else {
                    out.println(l.t("   write them with: xent cross-entropy ... --reduction none --out L.npy",
                            "   可用 xent cross-entropy ... --reduction none --out L.npy 写出"));
                }
            }
        }
    }

    private void gradient(double[] g) {
        out.println();
        String what = switch (reduction) {
            case MEAN -> l.t("4. Gradient ∂loss/∂x: (softmax minus target) over D = " + Style.count(pair.denominator()),
                    "4. 梯度 ∂loss/∂x：（softmax输出减去目标）除以 D = " + Style.count(pair.denominator()));
            case SUM -> l.t("4. Gradient ∂loss/∂x: softmax minus target", "4. 梯度 ∂loss/∂x：softmax输出减去目标");
            default -> l.t("4. Gradient of Σ_s L_s with respect to x: softmax minus target",
                    "4. Σ_s L_s 对 x 的梯度：softmax输出减去目标");
        };
        out.println(what);
        for (int s = 0; s < positions; s++) {
            int base = (s / inner) * classes * inner + s % inner;
            out.println("   " + Style.padRight(l.t("sample ", "样本 ") + sampleName(s), 14) + Style.row(g, base, inner, classes));
        }
        out.println(l.t("   (each row sums to 0" + (target != null ? ", ignored samples get 0" : "") + ")",
                "   （每行之和为 0" + (target != null ? "，被忽略的样本梯度为 0" : "") + "）"));
    }

    // ------------------------------------------------------------------ helpers

    private String sampleName(int s) {
        if (shape.length == 1) {
            return "0";
        }
        return shape.length == 2 ? Integer.toString(s) : Dims.index(positionsShape, s);
    }

    private String joinLosses(double[] losses) {
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < losses.length; s++) {
            sb.append(s == 0 ? "" : " + ").append(Style.num(losses[s]));
        }
        return sb.toString();
    }

    private static String vector(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(io.github.xent4j.cli.data.Dims.value(v[i], false));
        }
        return sb.append(']').toString();
    }

    private static long[] toLong(int[] s) {
        long[] out = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i];
        }
        return out;
    }
}
