package io.github.xent4j.spark.internal;

/** A crossEntropyStats struct read back for re-aggregation (a bean; properties in name order). Not API. */
public final class StatsIn implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private Long count;
    private Long ignored;
    private Double lossSum;
    private Long nullRows;
    private Double weightSum;

    public Long getCount() { return count; }
    public void setCount(Long v) { count = v; }
    public Long getIgnored() { return ignored; }
    public void setIgnored(Long v) { ignored = v; }
    public Double getLossSum() { return lossSum; }
    public void setLossSum(Double v) { lossSum = v; }
    public Long getNullRows() { return nullRows; }
    public void setNullRows(Long v) { nullRows = v; }
    public Double getWeightSum() { return weightSum; }
    public void setWeightSum(Double v) { weightSum = v; }
}
