package io.github.xent4j.spark.internal;

/** The result of crossEntropyStats before it is renamed to snake_case fields (a bean for Spark's encoder). Not API. */
public final class StatsOut implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private double lossSum;
    private double weightSum;
    private long count;
    private long ignored;
    private double mean;
    private long nullRows;

    public double getLossSum() { return lossSum; }
    public void setLossSum(double v) { lossSum = v; }
    public double getWeightSum() { return weightSum; }
    public void setWeightSum(double v) { weightSum = v; }
    public long getCount() { return count; }
    public void setCount(long v) { count = v; }
    public long getIgnored() { return ignored; }
    public void setIgnored(long v) { ignored = v; }
    public double getMean() { return mean; }
    public void setMean(double v) { mean = v; }
    public long getNullRows() { return nullRows; }
    public void setNullRows(long v) { nullRows = v; }
}
