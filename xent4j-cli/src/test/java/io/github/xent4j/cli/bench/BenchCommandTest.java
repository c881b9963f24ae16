package io.github.xent4j.cli.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void tinyRunPrintsTheTableAndEndsWithTheSummary(@TempDir Path dir) throws Exception {
        Path md = dir.resolve("bench.md");
        int code = run("--shapes", "16x10,8x1000", "--bce-shape", "8x16", "--threads", "1,2", "--seconds", "0.01",
                "--fused", "none", "--out", md.toString());
        assertEquals(0, code, err.toString());
        String text = out.toString();
        assertTrue(text.contains("| cross_entropy | 8x1000 | fwd+bwd | 2 |"), text);
        assertTrue(text.contains("| bce_with_logits | 8x16 | fwd | 1 |"), text);
        assertTrue(text.contains("in place (gradient over the logits)"), text);
        List<String> lines = text.strip().lines().toList();
        assertTrue(lines.get(lines.size() - 1).startsWith(
                "summary: fwd+bwd speedup vs torch at C>=1000: n/a (no --compare-torch) (1 thread)"), text);
        assertTrue(text.endsWith(Files.readString(md)), "the file holds the printed table");
    }

    @Test
    void missingPythonIsReportedAndTheXentSideStillRuns() {
        int code = run("--compare-torch", "--python", "/nonexistent/python3", "--shapes", "8x10", "--bce-shape", "none",
                "--fused", "none", "--threads", "1", "--seconds", "0.01");
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("torch: not available: /nonexistent/python3 cannot be started"), out.toString());
        assertTrue(out.toString().contains("| cross_entropy | 8x10 | fwd | 1 |"), out.toString());
    }

    @Test
    void badShapeIsAUsageError() {
        assertEquals(2, run("--shapes", "10by20"));
        assertTrue(err.toString().contains("--shapes: '10by20' must be NxC"), err.toString());
    }

    @Test
    void summaryTakesTheMinimumOverShapesWithAtLeast1000Classes() {
        MachineBound.Bound b = new MachineBound.Bound(1, 1);
        List<BenchCommand.Row> rows = List.of(
                new BenchCommand.Row("cross_entropy", 10, 100, "fwd+bwd", 1, 1, 0, 10, 20, 0, 0, b),   // C < 1000: ignored
                new BenchCommand.Row("cross_entropy", 10, 1000, "fwd+bwd", 1, 2, 0, 9, 20, 0, 0, b),   // 4.5x
                new BenchCommand.Row("cross_entropy", 10, 32000, "fwd+bwd", 1, 2, 0, 8, 20, 0, 0, b),  // 4.0x
                new BenchCommand.Row("cross_entropy", 10, 32000, "fwd", 1, 1, 0, 1, 2, 0, 0, b),       // forward: ignored
                new BenchCommand.Row("cross_entropy", 10, 32000, "fwd+bwd", 2, 1, 0, 5, 9, 0, 0, b));  // 5.0x
        assertEquals("summary: fwd+bwd speedup vs torch at C>=1000: min 4.00x (1 thread), min 5.00x (2 threads)",
                BenchCommand.summary(rows, true));
    }
}
