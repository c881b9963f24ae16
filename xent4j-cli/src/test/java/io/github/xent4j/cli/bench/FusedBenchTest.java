package io.github.xent4j.cli.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FusedBenchTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void aTinyFusedRunPrintsItsTableTheGemmTableAndTheTargetsLine() {
        int code = run("--cases", "flce-40x16x300", "--threads", "1,2", "--seconds", "0.01");
        assertEquals(0, code, err.toString());
        String text = out.toString();
        for (String row : new String[] {"| linear_cross_entropy | 40x16x300 | fwd+bwd | 1 |",
            "| linear_cross_entropy | 40x16x300 | fwd+bwd | 2 |", "| linear_cross_entropy | 40x16x300 | loss-only | 2 |"}) {
            assertTrue(text.contains(row), row + " in\n" + text);
        }
        assertTrue(text.contains("| 40x16x4096 | 1 |") && text.contains("| 40x16x4096 | 2 |"), text);
        List<String> lines = text.strip().lines().toList();
        assertTrue(text.contains("summary fused at V=300: 1T fwd+bwd xent/torch(recycled) -"), text);
        assertTrue(lines.get(lines.size() - 1).startsWith("summary: fwd+bwd speedup vs torch"), text);
    }

    @Test
    void aBadFusedShapeIsAUsageError() {
        assertEquals(2, run("--cases", "flce-10x20"));
        assertTrue(err.toString().contains("--cases: 'flce-10x20' must be flce-NxDxV"), err.toString());
    }

    @Test
    void theTargetsLineComputesTheIssuesRatios() {
        List<FusedCases.Row> rows = List.of(
                new FusedCases.Row(1024, 2048, 128256, "fwd+bwd", 1, 8000, 120, 130, 8800, 19000, 2600, 1600),
                new FusedCases.Row(1024, 2048, 128256, "loss-only", 1, 2500, 120, 130, 3000, 4000, Double.NaN, Double.NaN),
                new FusedCases.Row(1024, 2048, 32000, "fwd+bwd", 1, 1, 1, 1, 1, 1, 1, 1));
        List<FusedCases.GemmRow> g = List.of(new FusedCases.GemmRow(1024, 2048, 4096, 1, "vector", 80, 90, 85, 100));
        String s = FusedCases.targets(rows, g);
        assertEquals("summary fused at V=128256: 1T fwd+bwd xent/torch(recycled) 0.91x (target <= 1.0), torch(default)/xent "
                + "2.38x (target >= 1.5), fwd+bwd/loss-only 3.20x (target >= 2.8), transient xent/torch 0.075 (target <= 0.05); "
                + "GEMM 1T 80% of peak (target >= 75%);", s);
        assertEquals("summary fused: not run (--fused none)", FusedCases.targets(List.of(), List.of()));
    }
}
