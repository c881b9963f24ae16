package io.github.xent4j.cli.explain;

import io.github.xent4j.DistillationLoss;
import io.github.xent4j.DoubleResult;
import io.github.xent4j.Reduction;
import io.github.xent4j.Softmax;

import java.io.PrintWriter;

/**
 * Prints knowledge distillation step by step: the teacher's softmax at temperature 1 and at T (how
 * T softens it: a lower top probability, a higher entropy, the "dark knowledge" of the other
 * classes made visible), the student's softmax at T, the per-sample T^2 KL, the BATCHMEAN and the
 * gradient rows. Every probability, loss and gradient printed comes from xent4j's core
 * ({@link DistillationLoss}, {@link Softmax}).
 */
final class DistillExplainer {

    private final Lang l;
    private final PrintWriter out;
    private final double[] x;
    private final double[] teacher;
    private final int[] shape;
    private final double temperature;
    private final Reduction reduction;
    private final String names;

    DistillExplainer(Lang l, PrintWriter out, double[] x, double[] teacher, int[] shape, double temperature,
                     Reduction reduction, String names) {
        this.l = l;
        this.out = out;
        this.x = x;
        this.teacher = teacher;
        this.shape = shape.length == 1 ? new int[] {1, shape[0]} : shape;
        this.temperature = temperature;
        this.reduction = reduction;
        this.names = names;
    }

    private double[] scaled(double[] a, double by) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / by;
        }
        return r;
    }

    void print(int detailLimit) {
        int n = shape[0];
        int c = shape[1];
        double t = temperature;
        DistillationLoss.Builder b = DistillationLoss.builder().temperature(t);
        DoubleResult each = b.reduction(Reduction.NONE).build().forward(x, shape, teacher, null);
        DoubleResult reduced = b.reduction(reduction).build().forwardBackward(x, shape, teacher, null);
        double[] q1 = Softmax.DEFAULTS.softmax(teacher, shape, 1);
        double[] qt = Softmax.DEFAULTS.softmax(scaled(teacher, t), shape, 1);
        double[] pt = Softmax.DEFAULTS.softmax(scaled(x, t), shape, 1);
        out.println(l.t("Knowledge distillation, step by step", "知识蒸馏：逐步讲解"));
        out.println(l.t("(every probability, loss and gradient below is computed by xent4j's core, in float64)",
                "（以下的概率、损失和梯度均由 xent4j 核心库以 float64 计算）"));
        out.println();
        out.println(l.t("Input:   student logits and teacher logits of shape (" + n + ", " + c + ")   ",
                "输入：  学生 logits 与教师 logits，形状 (" + n + ", " + c + ")   ") + names);
        out.println(l.t("Options: temperature T = ", "选项：  温度 T = ") + Style.count(t) + " · reduction " + reduction.torchName());
        out.println();
        out.println(l.t("1. The formula", "1. 公式"));
        out.println("   q = softmax(teacher / T),   p = softmax(student / T),   KD = T² · Σ_c q_c · (log q_c - log p_c)");
        out.println(l.t("   dividing the logits by T > 1 softens the teacher: its top probability falls and the small",
                "   把 logits 除以 T > 1 会让教师的分布变“软”：最大概率降低，其余类别的小概率被放大，"));
        out.println(l.t("   probabilities of the other classes grow, so the student also learns which wrong classes are close",
                "   学生因此还能学到哪些错误类别与正确类别相近（“暗知识”）"));
        out.println(l.t("   T² keeps the gradient's size: ∂KD/∂student = T · (p - q)", "   乘以 T² 使梯度大小不变：∂KD/∂student = T · (p - q)"));
        out.println();
        boolean detailed = n <= detailLimit;
        double top1 = 0;
        double topT = 0;
        double h1 = 0;
        double hT = 0;
        for (int s = 0; s < n; s++) {
            double m1 = 0;
            double mT = 0;
            for (int k = 0; k < c; k++) {
                m1 = Math.max(m1, q1[s * c + k]);
                mT = Math.max(mT, qt[s * c + k]);
                h1 -= q1[s * c + k] > 0 ? q1[s * c + k] * Math.log(q1[s * c + k]) : 0;
                hT -= qt[s * c + k] > 0 ? qt[s * c + k] * Math.log(qt[s * c + k]) : 0;
            }
            top1 += m1;
            topT += mT;
            if (detailed) {
                if (s == 0) {
                    out.println(l.t("2. Sample by sample", "2. 逐个样本"));
                }
                out.println(l.t("   sample ", "   样本 ") + s);
                out.println(Style.padRight(l.t("      teacher, T = 1", "      教师，T = 1"), 22) + Style.row(q1, s * c, 1, c));
                out.println(Style.padRight(l.t("      teacher, T = ", "      教师，T = ") + Style.count(t), 22) + Style.row(qt, s * c, 1, c)
                        + l.t("   (softer)", "   （更软）"));
                out.println(Style.padRight(l.t("      student, T = ", "      学生，T = ") + Style.count(t), 22) + Style.row(pt, s * c, 1, c));
                out.println("      KD = T² · KL(q ‖ p) = " + Style.num(each.losses()[s]));
            }
        }
        if (!detailed) {
            out.println(l.t("2. Summary (" + n + " samples: too many to show one by one)", "2. 汇总（" + n + " 个样本，逐个列出太多）"));
        }
        out.println(l.t("   the teacher's top probability, mean over samples: " + Style.num(top1 / n) + " at T = 1, "
                        + Style.num(topT / n) + " at T = " + Style.count(t),
                "   教师的最大概率（样本平均）：T = 1 时 " + Style.num(top1 / n) + "，T = " + Style.count(t) + " 时 " + Style.num(topT / n)));
        out.println(l.t("   its entropy (nats): " + Style.num(h1 / n) + " at T = 1, " + Style.num(hT / n) + " at T = " + Style.count(t),
                "   其熵（nat）：T = 1 时 " + Style.num(h1 / n) + "，T = " + Style.count(t) + " 时 " + Style.num(hT / n)));
        out.println();
        switch (reduction) {
            case BATCHMEAN -> {
                out.println(l.t("3. Reduction: batchmean, the sum over N = " + n + " samples", "3. 归约：batchmean，总和除以 N = " + n));
                out.println("   loss = " + Style.num(reduced.value()) + l.t("      xent4j: ", "      xent4j：") + Style.exact(reduced.value()));
            }
            case MEAN -> out.println(l.t("3. Reduction: mean, the sum over N · C = " + (n * c) + " elements (as kl_div)",
                    "3. 归约：mean，总和除以 N · C = " + (n * c) + "（与 kl_div 一致）") + "   loss = " + Style.num(reduced.value()));
            case SUM -> out.println(l.t("3. Reduction: sum", "3. 归约：sum（求和）") + "   loss = " + Style.num(reduced.value()));
            default -> out.println(l.t("3. Reduction: none (one loss per sample, listed above)", "3. 归约：none（每个样本一个损失，见上）"));
        }
        if (detailed) {
            out.println();
            out.println(l.t("4. Gradient ∂loss/∂student", "4. 梯度 ∂loss/∂student"));
            double[] g = reduced.gradient();
            for (int s = 0; s < n; s++) {
                out.println(l.t("   sample ", "   样本 ") + s + "  " + Style.row(g, s * c, 1, c));
            }
        }
    }
}
