package io.github.xent4j.spark.internal;

/**
 * One input row of a Column function: {@code array<float>} logits or log-probabilities. Arrays are boxed so that their schema accepts nullable elements (and {@code array<float>} widens to {@code array<double>} implicitly), and a null element is seen. A bean for Spark's encoder, whose properties are
 * ordered by name: {@code input} then {@code target}, which is the SQL argument order. Not API.
 */
public final class FloatsIn implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private Float[] input;
    private Long target;

    public Float[] getInput() {
        return input;
    }

    public void setInput(Float[] input) {
        this.input = input;
    }

    public Long getTarget() {
        return target;
    }

    public void setTarget(Long target) {
        this.target = target;
    }
}
