package io.github.xent4j.spark.internal;

/**
 * One input row of a Column function: array<double> logits or log-probabilities (array<float> is widened exactly). A bean for Spark's encoder, whose properties are
 * ordered by name: {@code input} then {@code target}, which is the SQL argument order. Not API.
 */
public final class DoublesIn implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private double[] input;
    private Long target;

    public double[] getInput() {
        return input;
    }

    public void setInput(double[] input) {
        this.input = input;
    }

    public Long getTarget() {
        return target;
    }

    public void setTarget(Long target) {
        this.target = target;
    }
}
