package io.github.xent4j.spark.internal;

/**
 * One input row of a Column function: {@code array<double>} logits or log-probabilities ({@code array<float>} is widened exactly). Arrays are boxed so that their schema accepts nullable elements (and {@code array<float>} widens to {@code array<double>} implicitly), and a null element is seen. A bean for Spark's encoder, whose properties are
 * ordered by name: {@code input} then {@code target}, which is the SQL argument order. Not API.
 */
public final class DoublesIn implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private Double[] input;
    private Long target;

    public Double[] getInput() {
        return input;
    }

    public void setInput(Double[] input) {
        this.input = input;
    }

    public Long getTarget() {
        return target;
    }

    public void setTarget(Long target) {
        this.target = target;
    }
}
