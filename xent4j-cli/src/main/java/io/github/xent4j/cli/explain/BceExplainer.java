package io.github.xent4j.cli.explain;

import io.github.xent4j.BceLoss;
import io.github.xent4j.LossSum;
import io.github.xent4j.DoubleResult;
import io.github.xent4j.Reduction;
import io.github.xent4j.cli.data.Dims;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Prints binary cross-entropy on probabilities step by step: the formula, each element's two log
 * terms (with PyTorch's clamp at -100), the weights, the MEAN denominator and the gradient. The
 * losses and gradients printed come from xent4j's core {@link BceLoss}.
 */
final class BceExplainer {

    private static final int WORST = 5;

    private final Lang l;
    private final PrintWriter out;
    private final double[] p;
    private final int[] shape;
    private final double[] y;
    private final double[] weight;
    private final int[] weightShape;
    private final Reduction reduction;
    private final String names;

    BceExplainer(Lang l, PrintWriter out, double[] p, int[] shape, double[] y, double[] weight, int[] weightShape,
                 Reduction reduction, String names) {
        this.l = l;
        this.out = out;
        this.p = p;
        this.shape = shape;
        this.y = y;
        this.weight = weight;
        this.weightShape = weightShape;
        this.reduction = reduction;
        this.names = names;
    }

    void print(int detailLimit) {
        BceLoss none = BceLoss.builder().reduction(Reduction.NONE).build();
        BceLoss reduced = BceLoss.builder().reduction(reduction).build();
        if (weight != null) {
            none = none.toBuilder().weight(weight, weightShape).build();
            reduced = reduced.toBuilder().weight(weight, weightShape).build();
        }
        double[] losses = new double[p.length];
        LossSum pair = none.partial(p, shape, y, 1.0, null, losses, null); // the per-element losses and their exact sum
        DoubleResult result = reduced.forwardBackward(p, shape, y);
        int n = p.length;
        long[] ls = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            ls[i] = shape[i];
        }
        out.println(l.t("Binary cross-entropy, step by step", "二分类交叉熵：逐步讲解"));
        out.println(l.t("(every log, loss and gradient below is computed by xent4j's core, in float64)",
                "（以下的对数、损失和梯度均由 xent4j 核心库以 float64 计算）"));
        out.println();
        out.println(l.t("Input:   probabilities p (the predicted probability of class 1) of shape ",
                "输入：  概率 p（模型预测为类别 1 的概率），形状 ") + Dims.format(ls)
                + l.t(", " + n + " elements", "，共 " + n + " 个元素"));
        out.println(l.t("Target:  y of the same shape, usually 0 or 1", "目标：  同形状的真实标签 y，通常取 0 或 1") + "   " + names);
        out.println(l.t("Options: weight ", "选项：  权重 ") + (weight == null ? l.t("none", "无")
                : l.t("of shape ", "形状 ") + Dims.format(toLong(weightShape)) + l.t(", broadcast to the input", "，广播到输入形状"))
                + " · reduction " + reduction.torchName());
        out.println();
        out.println(l.t("1. The formula", "1. 公式"));
        out.println("   L = -" + (weight != null ? "w · " : "") + "[ y · log p + (1 - y) · log(1 - p) ]");
        out.println(l.t("   whether the sample is positive (y = 1) or negative (y = 0), the loss looks at the predicted",
                "   无论样本是正样本（y = 1）还是负样本（y = 0），损失都基于模型对正类别的预测分数："));
        out.println(l.t("   probability of the positive class: -log p when y = 1, -log(1 - p) when y = 0",
                "   y = 1 时为 -log p，y = 0 时为 -log(1 - p)"));
        out.println(l.t("   each log is clamped at -100 (as PyTorch), so p = 0 or 1 gives at most 100, never inf",
                "   与 PyTorch 一致，每个对数下限截断为 -100，因此 p = 0 或 1 时损失最多为 100，而不是 inf"));
        String over = reduction == Reduction.MEAN ? " / N" : "";
        out.println(l.t("   gradient  ∂loss/∂p = " + (weight != null ? "w · " : "") + "(p - y) / (p · (1 - p))" + over
                        + (reduction == Reduction.MEAN ? ",   N = " + n + " elements (weights never count)" : ""),
                "   梯度      ∂loss/∂p = " + (weight != null ? "w · " : "") + "(p - y) / (p · (1 - p))" + over
                        + (reduction == Reduction.MEAN ? "，  N = " + n + " 个元素（权重不计入）" : "")));
        out.println();
        boolean detailed = n <= detailLimit;
        if (detailed) {
            out.println(l.t("2. Element by element", "2. 逐个元素"));
            for (int i = 0; i < n; i++) {
                double logP = Math.max(Math.log(p[i]), -100);
                double log1mP = Math.max(Math.log1p(-p[i]), -100);
                String w = weight == null ? "" : " · w = " + Style.count(weightAt(i, ls));
                out.println("   " + Style.padRight(l.t("element ", "元素 ") + Dims.index(ls, i), 14)
                        + "p = " + Style.num(p[i]) + "  y = " + Style.count(y[i]) + w);
                out.println("      L = -[" + Style.count(y[i]) + " · " + Style.num(logP) + " + " + Style.count(1 - y[i]) + " · "
                        + Style.num(log1mP) + "]" + (weight == null ? "" : " · w") + " = " + Style.num(losses[i])
                        + "      " + l.t("(log p, log(1 - p))", "（log p，log(1 - p)）"));
            }
        } else {
            summary(losses, ls);
        }
        out.println();
        double sum = pair.sum();
        switch (reduction) {
            case MEAN -> {
                out.println(l.t("3. Reduction: mean over all N = " + n + " elements", "3. 归约：mean，对全部 N = " + n + " 个元素求平均"));
                out.println("   loss = " + Style.num(sum) + " / " + n + " = " + Style.num(result.value())
                        + l.t("      xent4j: ", "      xent4j：") + Style.exact(result.value()));
            }
            case SUM -> {
                out.println(l.t("3. Reduction: sum", "3. 归约：sum（求和）"));
                out.println("   loss = " + Style.num(result.value()) + l.t("      xent4j: ", "      xent4j：") + Style.exact(result.value()));
            }
            default -> out.println(l.t("3. Reduction: none (one loss per element, listed above)", "3. 归约：none（每个元素一个损失，见上）"));
        }
        if (detailed) {
            out.println();
            out.println(l.t("4. Gradient ∂loss/∂p", "4. 梯度 ∂loss/∂p"));
            double[] g = result.gradient();
            for (int i = 0; i < n; i++) {
                out.println("   " + Style.padRight(l.t("element ", "元素 ") + Dims.index(ls, i), 14) + Style.cell(g[i], 9));
            }
        }
    }

    private void summary(double[] losses, long[] ls) {
        out.println(l.t("2. Summary (" + p.length + " elements: too many to show one by one)",
                "2. 汇总（" + p.length + " 个元素，逐个列出太多）"));
        double pos = 0;
        double neg = 0;
        int np = 0;
        int nn = 0;
        for (int i = 0; i < p.length; i++) {
            if (y[i] == 1) {
                pos += losses[i];
                np++;
            } else if (y[i] == 0) {
                neg += losses[i];
                nn++;
            }
        }
        if (np > 0) {
            out.println(l.t("   positives (y = 1): ", "   正样本（y = 1）：") + np + l.t(", mean loss ", "，平均损失 ") + Style.num(pos / np));
        }
        if (nn > 0) {
            out.println(l.t("   negatives (y = 0): ", "   负样本（y = 0）：") + nn + l.t(", mean loss ", "，平均损失 ") + Style.num(neg / nn));
        }
        List<Integer> worst = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            worst.add(i);
        }
        worst.sort(Comparator.comparingDouble((Integer i) -> -losses[i]).thenComparingInt(i -> i));
        out.println(l.t("   worst elements:", "   损失最大的元素："));
        for (int i : worst.subList(0, Math.min(WORST, worst.size()))) {
            out.println("   " + Style.padRight(Dims.index(ls, i), 14) + "p = " + Style.num(p[i]) + "  y = " + Style.count(y[i])
                    + "  L = " + Style.num(losses[i]));
        }
    }

    /** The weight of element i after NumPy broadcasting (display only). */
    private double weightAt(int i, long[] ls) {
        int r = ls.length;
        int off = 0;
        int stride = 1;
        long rest = i;
        long[] idx = new long[r];
        for (int d = r - 1; d >= 0; d--) {
            idx[d] = rest % Math.max(1, ls[d]);
            rest /= Math.max(1, ls[d]);
        }
        for (int k = weightShape.length - 1; k >= 0; k--) {
            int d = r - (weightShape.length - k);
            int wd = weightShape[k];
            long ix = d >= 0 && wd != 1 ? idx[d] : 0;
            off += (int) ix * stride;
            stride *= wd;
        }
        return weight[off];
    }

    private static long[] toLong(int[] s) {
        long[] out = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i];
        }
        return out;
    }
}
