package io.github.xent4j.bench;

import io.github.xent4j.LinearCrossEntropyLoss;
import io.github.xent4j.LinearCrossEntropyLoss.FloatOutputs;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The fused linear + cross-entropy loss, float32, MEAN: forward+backward (loss, dH, dW: 6 N D V
 * flops) and loss-only (2 N D V), with the active kernels. Each call takes seconds at the issue's
 * shapes, hence the few, long iterations. Gradient arrays are allocated and touched in setup.
 *
 * <p>{@code java -jar xent4j-bench/target/benchmarks.jar LinearCrossEntropyBench -p shape=1024x2048x32000}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx8g"})
public class LinearCrossEntropyBench {

    /** N x D x V. */
    @Param({"1024x2048x32000", "1024x2048x128256"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    float[] hidden;
    float[] weight;
    float[] gradHidden;
    float[] gradWeight;
    int[] target;
    int[] hiddenShape;
    int[] weightShape;
    LinearCrossEntropyLoss loss;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        int n = Integer.parseInt(p[0]);
        int d = Integer.parseInt(p[1]);
        int v = Integer.parseInt(p[2]);
        SplittableRandom r = new SplittableRandom(9);
        hidden = new float[n * d];
        for (int i = 0; i < hidden.length; i++) {
            hidden[i] = (float) (2 * r.nextDouble() - 1);
        }
        weight = new float[v * d];
        float scale = (float) (1 / Math.sqrt(d));
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) (2 * r.nextDouble() - 1) * scale;
        }
        target = new int[n];
        for (int i = 0; i < n; i++) {
            target[i] = r.nextInt(v);
        }
        gradHidden = new float[hidden.length];
        gradWeight = new float[weight.length];
        java.util.Arrays.fill(gradWeight, 1f); // touch the pages
        hiddenShape = new int[] {n, d};
        weightShape = new int[] {v, d};
        loss = LinearCrossEntropyLoss.builder().threads(threads).build();
    }

    @Benchmark
    public double forwardBackward() {
        return loss.compute(hidden, hiddenShape, weight, weightShape, null, target, null, null,
                FloatOutputs.gradients(gradHidden, gradWeight, null)).value();
    }

    @Benchmark
    public double lossOnly() {
        return loss.value(hidden, hiddenShape, weight, weightShape, null, target);
    }
}
