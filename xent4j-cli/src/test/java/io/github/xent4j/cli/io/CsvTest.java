package io.github.xent4j.cli.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {

    @TempDir
    Path dir;

    private static DataException parseError(String text) {
        return assertThrows(DataException.class, () -> Csv.parseTable(text, "x.csv"));
    }

    @Test
    void readIntegersOnePerLineAsInt64Vector() {
        NdArray a = Csv.read(Fixtures.path("text/targets.csv"));

        assertEquals(DType.INT64, a.dtype());
        assertEquals("(3,)", a.shapeString());
        assertArrayEquals(new int[] {0, 2, 1}, a.toIntTargets("target"));
    }

    @Test
    void parseFloatsAsFloat64Matrix() {
        CsvTable t = Csv.parseTable("0.1,0.3,0.6\n0.3,0.2,0.5\n", "x.csv");

        assertFalse(t.hasHeader());
        assertEquals(DType.FLOAT64, t.data().dtype());
        assertArrayEquals(new int[] {2, 3}, t.data().shape());
        assertArrayEquals(new double[] {0.1, 0.3, 0.6, 0.3, 0.2, 0.5}, t.data().toDouble());
    }

    @Test
    void parseMixedIntegersAndFloatsAsFloat64() {
        NdArray a = Csv.parseTable("1,2\n3,4.5\n", "x.csv").data();

        assertEquals(DType.FLOAT64, a.dtype());
        assertArrayEquals(new double[] {1, 2, 3, 4.5}, a.toDouble());
    }

    @Test
    void parseExponentMakesFloat64() {
        assertEquals(DType.FLOAT64, Csv.parseTable("1e3\n2\n", "x.csv").data().dtype());
    }

    @Test
    void parseDetectsHeaderAndKeepsColumnNames() {
        CsvTable t = Csv.parseTable("a, \"b c\" ,c\n1,2,3\n", "x.csv");

        assertEquals(List.of("a", "b c", "c"), t.columnNames());
        assertArrayEquals(new int[] {1, 3}, t.data().shape());
    }

    @Test
    void parseHeaderOnlyGivesNoRows() {
        CsvTable t = Csv.parseTable("a,b\n", "x.csv");

        assertEquals(List.of("a", "b"), t.columnNames());
        assertArrayEquals(new int[] {0, 2}, t.data().shape());
    }

    @Test
    void aTypoInLineOneIsAnErrorNotAHeader() {
        DataException e = assertThrows(DataException.class, () -> Csv.parseTable("0.1,0.3,O.6\n0.3,0.2,0.5\n1,2,3\n", "typo.csv"));
        assertEquals("typo.csv:1:3: 'O.6' is not a number (line 1 is data: a header line holds no numbers)", e.getMessage());
        e = assertThrows(DataException.class, () -> Csv.parseTable(",1\n2,3\n", "e.csv"));
        assertEquals("e.csv:1:1: empty field; write nan for a missing value", e.getMessage());
    }

    @Test
    void aOneColumnFileNeverHasAHeader() {
        DataException e = assertThrows(DataException.class, () -> Csv.parseTable("x\n2\n1\n", "y.csv"));
        assertEquals("y.csv:1:1: 'x' is not a number (a one-column file has no header line; make it a comment with #)",
                e.getMessage());
        CsvTable t = Csv.parseTable("# target\n2\n1\n", "y.csv");
        assertFalse(t.hasHeader());
        assertArrayEquals(new int[] {2, 1}, t.data().toIntTargets("y"));
    }

    @Test
    void aHeaderMayHaveAnEmptyFieldLikePandasIndexColumn() {
        CsvTable t = Csv.parseTable(",a,b\n0,0.5,1.5\n", "x.csv");
        assertEquals(List.of("", "a", "b"), t.columnNames());
        assertArrayEquals(new double[] {0, 0.5, 1.5}, t.data().toDouble());
    }

    @Test
    void invalidUtf8NamesTheLineAndTheByte(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.csv");
        Files.write(file, new byte[] {'1', ',', '2', '\n', '3', ',', (byte) 0xff, '\n'});
        DataException e = assertThrows(DataException.class, () -> Csv.read(file));
        assertEquals(file + ":2: invalid UTF-8 at byte 3 of the line (offset 6 in the file): 0xff; save the file as UTF-8",
                e.getMessage());
        Path gz = dir.resolve("bad.csv.gz");
        try (OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(("1,2\n".repeat(10_000) + "3,").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[] {(byte) 0xc3, '\n'});
        }
        e = assertThrows(DataException.class, () -> Csv.read(gz));
        assertEquals(gz + ":10001: invalid UTF-8 at byte 3 of the line (offset 40002 in the file): 0xc3; save the file as UTF-8",
                e.getMessage());
    }

    @Test
    void parseAcceptsSemicolonsTabsAndWhitespace() {
        double[] expected = {1, 2, 3, 4};
        for (String text : new String[] {"1;2\n3;4", "1\t2\n3\t4", "1 2\n  3   4  \n", "1, 2\r\n3 ,4\r\n"}) {
            NdArray a = Csv.parseTable(text, "x.csv").data();

            assertArrayEquals(new int[] {2, 2}, a.shape(), text);
            assertArrayEquals(expected, a.toDouble(), text);
        }
    }

    @Test
    void readNumpySavetxtDefaultFormat() {
        NdArray a = Csv.read(Fixtures.path("text/savetxt_default.txt"));

        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(new double[] {0.1, -2.5, 3e-8, 1, 2, -0.5}, a.toDouble());
    }

    @Test
    void readNumpySavetxtWithCommentHeader() {
        CsvTable t = Csv.readTable(Fixtures.path("text/savetxt_header.csv"));

        assertFalse(t.hasHeader());
        assertArrayEquals(new double[] {0.1, -2.5, 3e-8, 1, 2, -0.5}, t.data().toDouble());
    }

    @Test
    void parseSkipsBlankLinesCommentsAndByteOrderMark() {
        NdArray a = Csv.parseTable("\uFEFF# comment\n\n1,2\n   \n# more\n3,4\n\n", "x.csv").data();

        assertArrayEquals(new double[] {1, 2, 3, 4}, a.toDouble());
    }

    @Test
    void parseAcceptsNanAndInfinityInAnyCase() {
        double[] v = Csv.parseTable("nan,NaN,inf,-INF,+Infinity,-inf\n", "x.csv").data().toDouble();

        assertTrue(Double.isNaN(v[0]) && Double.isNaN(v[1]));
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}, java.util.Arrays.copyOfRange(v, 2, 6));
    }

    @Test
    void parseKeepsLargeIntegersExact() {
        NdArray a = Csv.parseTable("9007199254740993\n", "x.csv").data();

        assertEquals(DType.INT64, a.dtype());
        assertEquals("9007199254740993", Csv.format(a, 0));
    }

    @Test
    void parseRejectsMalformedFieldWithPosition() {
        assertEquals("x.csv:3:2: 'abc' is not a number", parseError("1,2\n3,4\n5,abc\n").getMessage());
        assertEquals("x.csv:2:1: '1.2.3' is not a number", parseError("1,2\n1.2.3,4\n").getMessage());
        assertEquals("x.csv:2:2: '0x10' is not a number", parseError("a,b\n1,0x10\n").getMessage());
    }

    @Test
    void parseRejectsRaggedRows() {
        assertEquals("x.csv:4: expected 3 columns (like line 1) but found 2",
                parseError("1,2,3\n4,5,6\n\n7,8\n").getMessage());
        assertEquals("x.csv:2: expected 2 columns (like the header on line 1) but found 3",
                parseError("a,b\n1,2,3\n").getMessage());
    }

    @Test
    void parseRejectsEmptyFields() {
        assertEquals("x.csv:2:2: empty field; write nan for a missing value",
                parseError("1,2\n3,\n").getMessage());
    }

    @Test
    void parseRejectsAmbiguousSeparator() {
        assertEquals("x.csv:1: cannot tell the separator: the line contains commas and semicolons",
                parseError("1,5;2\n").getMessage());
    }

    @Test
    void parseRejectsEmptyText() {
        assertEquals("x.csv: no data: the file is empty", parseError("\n# only a comment\n").getMessage());
    }

    @Test
    void parseRejectsUnclosedQuote() {
        assertEquals("x.csv:1:2: unclosed quote", parseError("a,\"b\n").getMessage());
    }

    @Test
    void readReportsMissingFile() {
        Path file = dir.resolve("none.csv");

        assertEquals(file + ": cannot read: no such file or directory",
                assertThrows(DataException.class, () -> Csv.read(file)).getMessage());
    }

    @Test
    void writeRoundTripsEveryType() {
        List<NdArray> arrays = List.of(
                NdArray.ofFloats(new float[] {0.1f, Float.NaN, Float.NEGATIVE_INFINITY, 1e-30f}, 2, 2),
                NdArray.ofDoubles(new double[] {0.1, 1.0 / 3, 1e300, Double.POSITIVE_INFINITY}, 4),
                NdArray.ofLongs(new long[] {Long.MIN_VALUE, 3}, 1, 2));
        for (NdArray a : arrays) {
            Path file = dir.resolve("a.csv");

            Csv.write(file, a);
            NdArray back = Csv.read(file);

            double[] expected = a.toDouble();
            if (a.dtype() == DType.FLOAT32) {
                // float32 text reads back as float64; the values round back to the same floats
                assertArrayEquals(a.toFloat(), back.toFloat());
            } else {
                assertArrayEquals(expected, back.toDouble(), 0.0);
            }
            assertEquals(a.isFloating() ? DType.FLOAT64 : DType.INT64, back.dtype());
        }
    }

    @Test
    void writeWithHeaderRoundTrips() throws IOException {
        Path file = dir.resolve("h.csv");

        Csv.write(file, NdArray.ofDoubles(new double[] {1, 2, 3, 4}, 2, 2), List.of("loss", "a,b"));

        assertEquals("loss,\"a,b\"\n1.0,2.0\n3.0,4.0\n", Files.readString(file));
        assertEquals(List.of("loss", "a,b"), Csv.readTable(file).columnNames());
    }

    @Test
    void writeZeroDimensional() throws IOException {
        Path file = dir.resolve("s.csv");

        Csv.write(file, NdArray.ofDoubles(new double[] {2.5}));

        assertEquals("2.5\n", Files.readString(file));
    }

    @Test
    void writeRejectsRankThree() {
        Path file = dir.resolve("c.csv");

        DataException e = assertThrows(DataException.class,
                () -> Csv.write(file, NdArray.ofDoubles(new double[8], 2, 2, 2)));

        assertEquals(file + ": CSV holds at most 2 dimensions but the array has shape (2, 2, 2); "
                + "write .npy or .json instead", e.getMessage());
        assertFalse(Files.exists(file));
    }
}
