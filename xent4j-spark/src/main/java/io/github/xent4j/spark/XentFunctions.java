package io.github.xent4j.spark;

import io.github.xent4j.BceLoss;
import io.github.xent4j.BceWithLogitsLoss;
import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.EmptyMeanPolicy;
import io.github.xent4j.InvalidInputException;
import io.github.xent4j.KlDivLoss;
import io.github.xent4j.NllLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.spark.internal.ArraysIn;
import io.github.xent4j.spark.internal.BytesIn;
import io.github.xent4j.spark.internal.DoublesIn;
import io.github.xent4j.spark.internal.FloatsIn;
import io.github.xent4j.spark.internal.LossAggregator;
import io.github.xent4j.spark.internal.LossSpec;
import io.github.xent4j.spark.internal.MergeStats;
import io.github.xent4j.spark.internal.ScalarIn;
import io.github.xent4j.spark.internal.StatsIn;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Aggregator;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;

/**
 * The cross-entropy family as Spark aggregate Columns: they compose in {@code agg}, {@code groupBy}
 * and {@code select} like Spark's own {@code avg}, and as SQL functions after {@link #register}.
 * <pre>{@code
 * import static io.github.xent4j.spark.XentFunctions.*;
 * preds.agg(crossEntropy(col("logits"), col("label")).as("ce"), perplexity(col("logits"), col("label")).as("ppl"));
 * preds.groupBy("model").agg(crossEntropy(Input.floats(col("logits")), col("label"),
 *         CrossEntropyLoss.builder().labelSmoothing(0.1).ignoreIndex(-1).build()));
 * }</pre>
 *
 * <p>Each function is the core's loss: its options (class weights, ignore_index, label smoothing, the
 * reduction and the empty-mean policy) and its result. Underneath, a typed {@code Aggregator} keeps
 * the core's exact {@link io.github.xent4j.LossSum} of the rows and hands rows to the core in
 * blocks; partial results merge exactly, so the value is the same for any partitioning, and equals
 * the core's single-call result on the same rows. Logits: see {@link Input} ({@code array<float>},
 * {@code array<double>}, float32 {@code binary}, Spark ML vectors). Labels: an integer column (cast
 * a double label column to int first).
 *
 * <p>Nulls: a row whose input or label is null is skipped (as SQL aggregates skip nulls) and counted
 * in {@link #crossEntropyStats}'s {@code null_rows}; wrap a column in {@link #requireNonNull} to fail
 * instead. A null <em>element</em> inside an array fails the query: the arrays reach the aggregate
 * as boxed values, so the hole is seen (a primitive {@code float[]} input would read it as 0.0),
 * but not where it is: the message has the element's index, not the row's ({@link XentEvaluator}
 * names both). {@link #requireNoNullElements} fails earlier, in the projection.
 *
 * <p>Speed: the encoder boxes every array element on its way to the Aggregator (Spark's
 * {@code MapObjects}); {@link XentEvaluator} reads Spark's rows in place and is faster; a float32
 * {@code binary} column avoids most of the boxing here.
 */
public final class XentFunctions {

    private XentFunctions() {
    }

    // ---------------------------------------------------------------- cross-entropy

    /** Mean cross-entropy from logits ({@code array<float>} or {@code array<double>}) and class indices, PyTorch's defaults. */
    public static Column crossEntropy(Column logits, Column label) {
        return crossEntropy(Input.doubles(logits), label, CrossEntropyLoss.DEFAULTS);
    }

    /** Cross-entropy with the core's options; the loss's reduction (MEAN or SUM) applies. */
    public static Column crossEntropy(Column logits, Column label, CrossEntropyLoss loss) {
        return crossEntropy(Input.doubles(logits), label, loss);
    }

    /** Cross-entropy of logits read as {@code logits} says. */
    public static Column crossEntropy(Input logits, Column label, CrossEntropyLoss loss) {
        return classAggregate(logits, label, LossSpec.of(reduced(loss, loss.reduction(), "crossEntropy")),
                "crossEntropy", LossAggregator.Result.VALUE);
    }

    /** exp(mean cross-entropy), PyTorch's defaults. */
    public static Column perplexity(Column logits, Column label) {
        return perplexity(Input.doubles(logits), label, CrossEntropyLoss.DEFAULTS);
    }

    /** exp(mean cross-entropy) with the core's options (its reduction must be MEAN). */
    public static Column perplexity(Column logits, Column label, CrossEntropyLoss loss) {
        return perplexity(Input.doubles(logits), label, loss);
    }

    /** exp(mean cross-entropy) of logits read as {@code logits} says. */
    public static Column perplexity(Input logits, Column label, CrossEntropyLoss loss) {
        if (loss.reduction() != Reduction.MEAN) {
            throw new InvalidInputException("loss", -1, loss.reduction().torchName(),
                    "must have reduction mean: perplexity is exp of the mean cross-entropy");
        }
        return classAggregate(logits, label, LossSpec.of(loss), "perplexity", LossAggregator.Result.PERPLEXITY);
    }

    /**
     * The mergeable statistics of the cross-entropy: {@code struct<loss_sum double, weight_sum double,
     * count bigint, ignored bigint, mean double, null_rows bigint>}, where weight_sum is PyTorch's MEAN
     * denominator, count the rows scored (ignored ones included) and mean = loss_sum / weight_sum.
     * Re-aggregate them with {@link #mergeStats(Column)} (exact) or {@code sum(loss_sum) / sum(weight_sum)},
     * never {@code avg(mean)}.
     */
    public static Column crossEntropyStats(Column logits, Column label) {
        return crossEntropyStats(Input.doubles(logits), label, CrossEntropyLoss.DEFAULTS);
    }

    /** The statistics with the core's options. */
    public static Column crossEntropyStats(Column logits, Column label, CrossEntropyLoss loss) {
        return crossEntropyStats(Input.doubles(logits), label, loss);
    }

    /** The statistics of logits read as {@code logits} says. */
    public static Column crossEntropyStats(Input logits, Column label, CrossEntropyLoss loss) {
        return renamed(classAggregate(logits, label, LossSpec.of(loss), "crossEntropyStats", LossAggregator.Result.STATS));
    }

    /** Merges {@link #crossEntropyStats} structs (of groups, days, models) into the statistics of their union. */
    public static Column mergeStats(Column stats) {
        UserDefinedFunction f = functions.udaf(new MergeStats(), Encoders.bean(StatsIn.class));
        return renamed(f.apply(stats.getField("count"), stats.getField("ignored"), stats.getField("loss_sum"),
                stats.getField("null_rows"), stats.getField("weight_sum")));
    }

    // ---------------------------------------------------------------- NLL

    /** Mean negative log-likelihood of log-probabilities and class indices, PyTorch's defaults. */
    public static Column nllLoss(Column logProbs, Column label) {
        return nllLoss(Input.doubles(logProbs), label, NllLoss.DEFAULTS);
    }

    /** NLL with the core's options (class weights, ignore_index, reduction). */
    public static Column nllLoss(Column logProbs, Column label, NllLoss loss) {
        return nllLoss(Input.doubles(logProbs), label, loss);
    }

    /** NLL of log-probabilities read as {@code logProbs} says. */
    public static Column nllLoss(Input logProbs, Column label, NllLoss loss) {
        if (loss.reduction() == Reduction.NONE) {
            throw noneReduction("nllLoss");
        }
        return classAggregate(logProbs, label, LossSpec.of(loss), "nllLoss", LossAggregator.Result.VALUE);
    }

    // ---------------------------------------------------------------- binary

    /** Mean BCE with logits of a numeric logit column and a target column (0/1 or any value in [0, 1]). */
    public static Column bceWithLogits(Column logit, Column label) {
        return bceWithLogits(logit, label, Reduction.MEAN);
    }

    /** BCE with logits with this reduction (MEAN or SUM); element weights do not apply to one value per row. */
    public static Column bceWithLogits(Column logit, Column label, Reduction reduction) {
        BceWithLogitsLoss.builder().reduction(reduction);   // the core's check of the reduction
        if (reduction == Reduction.NONE) {
            throw noneReduction("bceWithLogits");
        }
        return scalarAggregate(logit, label, LossSpec.bceWithLogits(reduction, EmptyMeanPolicy.NAN), "bceWithLogits");
    }

    /** Mean binary cross-entropy of a probability column and a target column in [0, 1]. */
    public static Column binaryCrossEntropy(Column prob, Column label) {
        return binaryCrossEntropy(prob, label, Reduction.MEAN);
    }

    /** Binary cross-entropy with this reduction (MEAN or SUM). */
    public static Column binaryCrossEntropy(Column prob, Column label, Reduction reduction) {
        BceLoss.builder().reduction(reduction);
        if (reduction == Reduction.NONE) {
            throw noneReduction("binaryCrossEntropy");
        }
        return scalarAggregate(prob, label, LossSpec.bce(reduction, EmptyMeanPolicy.NAN), "binaryCrossEntropy");
    }

    // ---------------------------------------------------------------- KL divergence

    /** KL divergence KL(target || input) of log-probabilities and target probabilities, arrays of one length per row; MEAN. */
    public static Column klDiv(Column logProbs, Column targetProbs) {
        return klDiv(logProbs, targetProbs, KlDivLoss.DEFAULTS);
    }

    /** KL divergence with the core's options (BATCHMEAN divides by the rows; logTarget). */
    public static Column klDiv(Column logProbs, Column targetProbs, KlDivLoss loss) {
        if (loss.reduction() == Reduction.NONE) {
            throw noneReduction("klDiv");
        }
        return functions.udaf(LossAggregator.<ArraysIn>value(LossSpec.of(loss), "klDiv", false), Encoders.bean(ArraysIn.class))
                .apply(logProbs.cast("array<double>"), targetProbs.cast("array<double>"));
    }

    // ---------------------------------------------------------------- nulls

    /** The column, or a query failure naming it at the first row where it is null. */
    public static Column requireNonNull(Column c) {
        return functions.when(c.isNull(), functions.raise_error(functions.lit("xent4j: " + c + " is null in a row; "
                + "it must not be null (requireNonNull)"))).otherwise(c);
    }

    /** The array column, or a query failure at the first row that holds a null element. */
    public static Column requireNoNullElements(Column array) {
        scala.Function1<Column, Column> isNull = Column::isNull;
        return functions.when(functions.exists(array, isNull), functions.raise_error(functions.lit("xent4j: an element of "
                + array + " is null; elements must not be null (requireNoNullElements)"))).otherwise(array);
    }

    // ---------------------------------------------------------------- SQL

    /**
     * Registers the SQL functions, each with PyTorch's defaults and returning a double:
     * {@code xent_cross_entropy(logits, label)}, {@code xent_perplexity(logits, label)},
     * {@code xent_nll_loss(log_probs, label)}, {@code xent_bce_with_logits(logit, label)},
     * {@code xent_binary_cross_entropy(prob, label)}, {@code xent_kl_div(log_probs, target_probs)};
     * arrays as {@code array<float>} or {@code array<double>}, labels as integers.
     */
    public static void register(SparkSession spark) {
        LossSpec ce = LossSpec.of(CrossEntropyLoss.DEFAULTS);
        spark.udf().register("xent_cross_entropy", udaf(LossAggregator.<DoublesIn>value(ce, "xent_cross_entropy", false), DoublesIn.class));
        spark.udf().register("xent_perplexity", udaf(LossAggregator.<DoublesIn>value(ce, "xent_perplexity", true), DoublesIn.class));
        spark.udf().register("xent_nll_loss", udaf(LossAggregator.<DoublesIn>value(LossSpec.of(NllLoss.DEFAULTS),
                "xent_nll_loss", false), DoublesIn.class));
        spark.udf().register("xent_bce_with_logits", udaf(LossAggregator.<ScalarIn>value(
                LossSpec.bceWithLogits(Reduction.MEAN, EmptyMeanPolicy.NAN), "xent_bce_with_logits", false), ScalarIn.class));
        spark.udf().register("xent_binary_cross_entropy", udaf(LossAggregator.<ScalarIn>value(
                LossSpec.bce(Reduction.MEAN, EmptyMeanPolicy.NAN), "xent_binary_cross_entropy", false), ScalarIn.class));
        spark.udf().register("xent_kl_div", udaf(LossAggregator.<ArraysIn>value(LossSpec.of(KlDivLoss.DEFAULTS),
                "xent_kl_div", false), ArraysIn.class));
    }

    // ---------------------------------------------------------------- plumbing

    private static <IN, OUT> UserDefinedFunction udaf(Aggregator<IN, ?, OUT> agg, Class<IN> in) {
        return functions.udaf(agg, Encoders.bean(in));
    }

    private static CrossEntropyLoss reduced(CrossEntropyLoss loss, Reduction r, String function) {
        if (r == Reduction.NONE) {
            throw noneReduction(function);
        }
        return loss;
    }

    private static InvalidInputException noneReduction(String function) {
        return new InvalidInputException("loss", -1, "none", "is not an aggregate: " + function
                + " takes reduction mean or sum (per-row losses: compute them with the core on your rows)");
    }

    /** The aggregate over (input, target) in the bean's property order, which is also the SQL argument order. */
    private static Column classAggregate(Input in, Column label, LossSpec spec, String function, LossAggregator.Result r) {
        Column x = in.kind() == Input.Kind.DOUBLES ? in.prepared().cast("array<double>") : in.prepared();
        switch (in.kind()) {
            case FLOATS:
                return apply(spec, function, r, FloatsIn.class, x, label);
            case FLOAT32_LE:
                return apply(spec, function, r, BytesIn.class, x, label);
            default:
                return apply(spec, function, r, DoublesIn.class, x, label);
        }
    }

    private static <IN> Column apply(LossSpec spec, String function, LossAggregator.Result r, Class<IN> in, Column x, Column y) {
        Aggregator<IN, ?, ?> agg = r == LossAggregator.Result.STATS ? LossAggregator.<IN>stats(spec, function)
                : LossAggregator.<IN>value(spec, function, r == LossAggregator.Result.PERPLEXITY);
        return functions.udaf(agg, Encoders.bean(in)).apply(x, y);
    }

    private static Column scalarAggregate(Column x, Column y, LossSpec spec, String function) {
        return functions.udaf(LossAggregator.<ScalarIn>value(spec, function, false), Encoders.bean(ScalarIn.class))
                .apply(x.cast("double"), y.cast("double"));
    }

    /** The stats struct with the documented snake_case names, in the documented order (one aggregate underneath). */
    private static Column renamed(Column s) {
        return functions.struct(s.getField("lossSum").as("loss_sum"), s.getField("weightSum").as("weight_sum"),
                s.getField("count").as("count"), s.getField("ignored").as("ignored"), s.getField("mean").as("mean"),
                s.getField("nullRows").as("null_rows"));
    }
}
