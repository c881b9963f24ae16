package io.github.xent4j.spark;

import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;

/**
 * A Spark ML {@link Evaluator} over {@link XentEvaluator}, for {@code CrossValidator} and
 * {@code TrainValidationSplit}. Metric names: {@code crossEntropy} (the default), {@code perplexity},
 * {@code accuracy}, {@code ece}, {@code brier}; only accuracy is larger-is-better.
 *
 * <p>By default it reads Spark ML's {@code probability} column (scored as the logits log p, so
 * crossEntropy is Spark's logLoss without its 1e-15 clip) and the {@code label} column; set
 * {@code logitsCol} to score logits instead (a multinomial model's margins; not the rawPrediction of a
 * binomial LogisticRegression, which holds (-m, m)).
 */
public final class XentMlEvaluator extends Evaluator {

    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> metricName;
    private final Param<String> labelCol;
    private final Param<String> probabilityCol;
    private final Param<String> logitsCol;
    private final IntParam numBins;

    public XentMlEvaluator() {
        this(Identifiable$.MODULE$.randomUID("xentEval"));
    }

    public XentMlEvaluator(String uid) {
        this.uid = uid;
        this.metricName = new Param<>(this, "metricName", "crossEntropy, perplexity, accuracy, ece or brier",
                ParamValidators.inArray(new String[] {"crossEntropy", "perplexity", "accuracy", "ece", "brier"}));
        this.labelCol = new Param<>(this, "labelCol", "the class-index label column");
        this.probabilityCol = new Param<>(this, "probabilityCol", "the column of class probabilities");
        this.logitsCol = new Param<>(this, "logitsCol", "a column of logits, used instead of probabilityCol when set");
        this.numBins = new IntParam(this, "numBins", "calibration bins of the ece metric", ParamValidators.gtEq(1));
        setDefault(metricName, "crossEntropy");
        setDefault(labelCol, "label");
        setDefault(probabilityCol, "probability");
        setDefault(logitsCol, "");
        setDefault(numBins, 15);
    }

    public Param<String> metricName() {
        return metricName;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> logitsCol() {
        return logitsCol;
    }

    public IntParam numBins() {
        return numBins;
    }

    public XentMlEvaluator setMetricName(String v) {
        set(metricName, v);
        return this;
    }

    public XentMlEvaluator setLabelCol(String v) {
        set(labelCol, v);
        return this;
    }

    public XentMlEvaluator setProbabilityCol(String v) {
        set(probabilityCol, v);
        return this;
    }

    public XentMlEvaluator setLogitsCol(String v) {
        set(logitsCol, v);
        return this;
    }

    public XentMlEvaluator setNumBins(int v) {
        set(numBins, v);
        return this;
    }

    @Override
    public double evaluate(Dataset<?> dataset) {
        String metric = $(metricName);
        String logits = $(logitsCol);
        XentEvaluator e = XentEvaluator.on(dataset).label($(labelCol)).calibrationBins((Integer) $(numBins)).topK().auc(false)
                .perClass(false);
        e = logits.isEmpty() ? e.probabilities($(probabilityCol)) : e.logits(logits);
        if (metric.equals("crossEntropy") || metric.equals("perplexity")) {
            double ce = e.meanCrossEntropy();
            return metric.equals("crossEntropy") ? ce : Math.exp(ce);
        }
        ClassifierReport r = e.evaluate();
        return switch (metric) {
            case "accuracy" -> r.accuracy();
            case "ece" -> r.expectedCalibrationError();
            default -> r.brier();
        };
    }

    @Override
    public boolean isLargerBetter() {
        return "accuracy".equals($(metricName));
    }

    @Override
    public XentMlEvaluator copy(ParamMap extra) {
        return (XentMlEvaluator) defaultCopy(extra);
    }

    @Override
    public String uid() {
        return uid;
    }
}
