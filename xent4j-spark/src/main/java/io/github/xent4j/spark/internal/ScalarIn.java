package io.github.xent4j.spark.internal;

/**
 * One input row of a Column function: a scalar input (a logit or a probability) with its scalar target. A bean for Spark's encoder, whose properties are
 * ordered by name: {@code input} then {@code target}, which is the SQL argument order. Not API.
 */
public final class ScalarIn implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private Double input;
    private Double target;

    public Double getInput() {
        return input;
    }

    public void setInput(Double input) {
        this.input = input;
    }

    public Double getTarget() {
        return target;
    }

    public void setTarget(Double target) {
        this.target = target;
    }
}
