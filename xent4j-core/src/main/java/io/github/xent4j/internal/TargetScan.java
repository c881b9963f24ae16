package io.github.xent4j.internal;

/**
 * The first pass over class-index targets: validates every target and sums PyTorch's MEAN
 * denominator, before the logits are read (so the gradient scale 1/D is known up front).
 *
 * @param valid       the number of positions whose target is not ignore_index
 * @param denominator the sum of weight[target] over those positions (their count without weights)
 */
public record TargetScan(long valid, double denominator) {

    public static TargetScan of(int[] target, int positions, int classes, int ignoreIndex, double[] weight) {
        long valid = 0;
        double denominator = 0;
        for (int s = 0; s < positions; s++) {
            int y = target[s];
            if (y == ignoreIndex) {
                continue;
            }
            if (y < 0 || y >= classes) {
                throw Check.fail("target[%d]=%d must be in [0, %d) or equal ignore_index=%d", s, y, classes, ignoreIndex);
            }
            valid++;
            denominator += weight == null ? 1 : weight[y];
        }
        return new TargetScan(valid, denominator);
    }
}
