package io.github.xent4j.spark.internal;

/**
 * One input row of a Column function: an array input with an array target of the same length. A bean for Spark's encoder, whose properties are
 * ordered by name: {@code input} then {@code target}, which is the SQL argument order. Not API.
 */
public final class ArraysIn implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private double[] input;
    private double[] target;

    public double[] getInput() {
        return input;
    }

    public void setInput(double[] input) {
        this.input = input;
    }

    public double[] getTarget() {
        return target;
    }

    public void setTarget(double[] target) {
        this.target = target;
    }
}
