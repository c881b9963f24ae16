package io.github.xent4j.cli.explain;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.DoubleResult;
import io.github.xent4j.FocalLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.Softmax;

import java.io.PrintWriter;

/**
 * Prints the softmax focal loss step by step, next to cross-entropy: softmax per sample, -log p of
 * the true class, the modulating factor (1 - p_y)^gamma and how much it takes off each sample
 * (easy samples, p_y near 1, lose almost all their loss; hard ones keep it), the alpha weights and
 * the MEAN denominator, and the gradient rows. Every probability, loss and gradient printed comes
 * from xent4j's core ({@link FocalLoss}, {@link CrossEntropyLoss}, {@link Softmax}).
 */
final class FocalExplainer {

    private final Lang l;
    private final PrintWriter out;
    private final double[] x;
    private final int[] shape;
    private final int[] target;
    private final double[] weight;
    private final int ignoreIndex;
    private final double gamma;
    private final Reduction reduction;
    private final String names;

    FocalExplainer(Lang l, PrintWriter out, double[] x, int[] shape, int[] target, double[] weight, int ignoreIndex,
                   double gamma, Reduction reduction, String names) {
        this.l = l;
        this.out = out;
        this.x = x;
        this.shape = shape.length == 1 ? new int[] {1, shape[0]} : shape;
        this.target = target;
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
        this.gamma = gamma;
        this.reduction = reduction;
        this.names = names;
    }

    void print(int detailLimit) {
        int n = shape[0];
        int c = shape[1];
        FocalLoss.Builder fb = FocalLoss.builder().gamma(gamma).weight(weight).ignoreIndex(ignoreIndex);
        DoubleResult focal = fb.reduction(Reduction.NONE).build().forward(x, shape, target);
        DoubleResult reduced = fb.reduction(reduction).build().forwardBackward(x, shape, target);
        DoubleResult ce = CrossEntropyLoss.builder().weight(weight).ignoreIndex(ignoreIndex).reduction(Reduction.NONE).build()
                .forward(x, shape, target);
        double[] p = Softmax.DEFAULTS.softmax(x, shape, 1);
        out.println(l.t("Focal loss (softmax), step by step", "Focal Loss（softmax 多分类）：逐步讲解"));
        out.println(l.t("(every probability, loss and gradient below is computed by xent4j's core, in float64)",
                "（以下的概率、损失和梯度均由 xent4j 核心库以 float64 计算）"));
        out.println();
        out.println(l.t("Input:   logits of shape (" + n + ", " + c + ")   target: class indices   ",
                "输入：  logits，形状 (" + n + ", " + c + ")   目标：类别索引   ") + names);
        out.println(l.t("Options: gamma ", "选项：  gamma ") + Style.count(gamma) + " · alpha (weight) "
                + (weight == null ? l.t("none", "无") : l.t("per class", "按类别")) + " · ignore_index " + ignoreIndex
                + " · reduction " + reduction.torchName());
        out.println();
        out.println(l.t("1. The formula", "1. 公式"));
        out.println("   p = softmax(x),   CE = -log p_y,   FL = -" + (weight != null ? "alpha_y · " : "") + "(1 - p_y)^gamma · log p_y");
        out.println(l.t("   the factor (1 - p_y)^gamma down-weights easy samples: the more confident the model is in the",
                "   调制因子 (1 - p_y)^gamma 降低容易样本的权重：模型对真实类别越有把握（p_y 越接近 1），"));
        out.println(l.t("   true class (p_y near 1), the less the sample counts; hard samples (p_y small) keep almost all of it",
                "   该样本的损失就越小；困难样本（p_y 很小）几乎保留全部损失"));
        out.println(l.t("   gamma = 0 is cross-entropy; with gamma = " + Style.count(gamma) + ":",
                "   gamma = 0 时即为交叉熵；当 gamma = " + Style.count(gamma) + " 时："));
        for (double py : new double[] {0.1, 0.5, 0.9, 0.99}) {
            double f = Math.pow(1 - py, gamma);
            out.println("      p_y = " + Style.padRight(Style.fmt("%.2f", py), 6) + "(1 - p_y)^gamma = " + Style.padRight(Style.num(f), 9)
                    + l.t("the loss is cut to " + pct(f) + " of cross-entropy's", "损失降为交叉熵的 " + pct(f)));
        }
        out.println();
        boolean detailed = n <= detailLimit;
        double ceEasy = 0;
        double flEasy = 0;
        double ceAll = 0;
        double flAll = 0;
        int easy = 0;
        if (detailed) {
            out.println(l.t("2. Sample by sample", "2. 逐个样本"));
        }
        for (int s = 0; s < n; s++) {
            int y = target[s];
            if (y == ignoreIndex) {
                if (detailed) {
                    out.println(l.t("   sample ", "   样本 ") + s + l.t(": target = ignore_index, skipped (loss 0, not counted)",
                            "：目标为 ignore_index，跳过（损失为 0，不计入平均）"));
                }
                continue;
            }
            double py = p[s * c + y];
            double factor = Math.pow(1 - py, gamma);
            ceAll += ce.losses()[s];
            flAll += focal.losses()[s];
            if (py > 0.5) {
                easy++;
                ceEasy += ce.losses()[s];
                flEasy += focal.losses()[s];
            }
            if (detailed) {
                out.println(l.t("   sample ", "   样本 ") + s + "   y = " + y + "   p_y = " + Style.num(py) + "  "
                        + Style.bar(py, 20));
                out.println("      CE = -log p_y = " + Style.num(ce.losses()[s]) + "   (1 - p_y)^gamma = " + Style.num(factor)
                        + "   FL = " + Style.num(focal.losses()[s]) + "   " + (py > 0.5 ? l.t("(easy: down-weighted)", "（容易样本：权重被降低）")
                        : l.t("(hard: kept)", "（困难样本：基本保留）")));
            }
        }
        if (!detailed) {
            out.println(l.t("2. Summary (" + n + " samples: too many to show one by one)", "2. 汇总（" + n + " 个样本，逐个列出太多）"));
            out.println(l.t("   easy samples (p_y > 0.5): ", "   容易样本（p_y > 0.5）：") + easy);
        }
        if (ceAll > 0) {
            out.println(l.t("   easy samples carry " + pct(ceEasy / ceAll) + " of the cross-entropy but " + pct(flAll > 0 ? flEasy / flAll : 0)
                            + " of the focal loss",
                    "   容易样本占交叉熵总损失的 " + pct(ceEasy / ceAll) + "，但只占 focal loss 的 " + pct(flAll > 0 ? flEasy / flAll : 0)));
        }
        out.println();
        switch (reduction) {
            case MEAN -> {
                double d = FocalLoss.builder().weight(weight).ignoreIndex(ignoreIndex).build().denominator(shape, target).denominator();
                out.println(l.t("3. Reduction: mean, divided by " + (weight == null ? "the number of counted samples" : "the sum of alpha_y")
                                + " = " + Style.count(d), "3. 归约：mean，除以" + (weight == null ? "计入的样本数" : " alpha_y 之和") + " = " + Style.count(d)));
                out.println("   loss = " + Style.num(reduced.value()) + l.t("      xent4j: ", "      xent4j：") + Style.exact(reduced.value()));
            }
            case SUM -> out.println(l.t("3. Reduction: sum", "3. 归约：sum（求和）") + "   loss = " + Style.num(reduced.value()));
            default -> out.println(l.t("3. Reduction: none (one loss per sample, listed above)", "3. 归约：none（每个样本一个损失，见上）"));
        }
        if (detailed) {
            out.println();
            out.println(l.t("4. Gradient ∂loss/∂x", "4. 梯度 ∂loss/∂x"));
            double[] g = reduced.gradient();
            for (int s = 0; s < n; s++) {
                out.println(l.t("   sample ", "   样本 ") + s + "  " + Style.row(g, s * c, 1, c));
            }
        }
    }

    private static String pct(double f) {
        return Style.fmt(f < 0.005 ? "%.2f%%" : "%.1f%%", 100 * f);
    }
}
