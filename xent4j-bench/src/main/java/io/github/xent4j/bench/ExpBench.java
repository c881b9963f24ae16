package io.github.xent4j.bench;

import io.github.xent4j.cli.bench.MachineProbe;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Why the kernels carry their own exp: the polynomial of {@code VectorMath} against the Vector
 * API's {@code lanewise(EXP)} and scalar {@code Math.exp}, over an L1-resident buffer of values
 * <= 0. Time per element (ns/op with {@value #ELEMENTS} operations per call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ExpBench {

    static final int ELEMENTS = 1 << 20;

    @Param({"4096"})
    public int buffer;

    float[] buf;

    @Setup
    public void setup() {
        buf = new float[buffer];
        for (int i = 0; i < buffer; i++) {
            buf[i] = -(i % 97) * 0.25f;
        }
    }

    @Benchmark
    @OperationsPerInvocation(ELEMENTS)
    public double polynomial() {
        return MachineProbe.exp(buf, ELEMENTS);
    }

    @Benchmark
    @OperationsPerInvocation(ELEMENTS)
    public double lanewiseExp() {
        return MachineProbe.expLanewise(buf, ELEMENTS);
    }

    @Benchmark
    @OperationsPerInvocation(ELEMENTS)
    public double mathExp() {
        return MachineProbe.expScalar(buf, ELEMENTS);
    }
}
