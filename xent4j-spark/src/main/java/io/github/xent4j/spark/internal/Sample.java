package io.github.xent4j.spark.internal;

/** One generated row: {@code label int, logits array<float>} (a bean for Spark's encoder). Not API. */
public final class Sample implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private int label;
    private float[] logits;

    public int getLabel() {
        return label;
    }

    public void setLabel(int label) {
        this.label = label;
    }

    public float[] getLogits() {
        return logits;
    }

    public void setLogits(float[] logits) {
        this.logits = logits;
    }
}
