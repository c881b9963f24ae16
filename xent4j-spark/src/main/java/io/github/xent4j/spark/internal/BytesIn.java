package io.github.xent4j.spark.internal;

/**
 * One input row of a Column function: binary logits, float32 little-endian. A bean for Spark's encoder, whose properties are
 * ordered by name: {@code input} then {@code target}, which is the SQL argument order. Not API.
 */
public final class BytesIn implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private byte[] input;
    private Long target;

    public byte[] getInput() {
        return input;
    }

    public void setInput(byte[] input) {
        this.input = input;
    }

    public Long getTarget() {
        return target;
    }

    public void setTarget(Long target) {
        this.target = target;
    }
}
