package io.github.xent4j.cli.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
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
    void parseLabeledSplitsFeaturesAndIntegerLabelsWithMissing() {
        LabeledData d = Csv.parseLabeled("x1,label,x2\n0.5,1,2\n1.5,,3\n2.5,0,4\n", "t.csv", "label");

        assertEquals(List.of("x1", "x2"), d.featureNames());
        assertEquals("label", d.labelName());
        assertArrayEquals(new int[] {3, 2}, d.features().shape());
        assertArrayEquals(new double[] {0.5, 2, 1.5, 3, 2.5, 4}, d.features().toDouble());
        assertEquals(DType.INT64, d.labels().dtype());
        assertArrayEquals(new double[] {1, -1, 0}, d.labels().toDouble());
        assertArrayEquals(new boolean[] {false, true, false}, d.labelMissing());
        assertEquals(1, d.missingCount());
        assertTrue(d.classNames().isEmpty());
    }

    @Test
    void parseLabeledFloatLabelsMarkMissingAsNaN() {
        LabeledData d = Csv.parseLabeled("x,y\n1,0.5\n2,\n", "t.csv", "y");

        assertEquals(DType.FLOAT64, d.labels().dtype());
        assertEquals(0.5, d.labels().getDouble(0));
        assertTrue(Double.isNaN(d.labels().getDouble(1)));
    }

    @Test
    void parseLabeledNumbersClassNamesInSortedOrder() {
        LabeledData d = Csv.parseLabeled("len,species\n1,setosa\n2,virginica\n3,setosa\n4,\n5,versicolor\n",
                "iris.csv", "species");

        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classNames());
        assertArrayEquals(new double[] {0, 2, 0, -1, 1}, d.labels().toDouble());
        assertArrayEquals(new boolean[] {false, false, false, true, false}, d.labelMissing());
    }

    @Test
    void parseLabeledRejectsUnknownColumnAndMissingHeader() {
        assertEquals("t.csv:1: no column named 'y'; the columns are a, b",
                assertThrows(DataException.class, () -> Csv.parseLabeled("a,b\n1,2\n", "t.csv", "y")).getMessage());
        assertEquals("t.csv:1: no header line (line 1 is data), so no column is named 'y'; "
                + "add a header or give a 0-based column index",
                assertThrows(DataException.class, () -> Csv.parseLabeled("1,2\n", "t.csv", "y")).getMessage());
    }

    @Test
    void parseLabeledRejectsMissingFeature() {
        DataException e = assertThrows(DataException.class, () -> Csv.parseLabeled("a,y\n,1\n", "t.csv", "y"));

        assertEquals("t.csv:2:1: empty field; every feature must be a number", e.getMessage());
    }

    private static String labeledError(String text, String labelColumn) {
        return assertThrows(DataException.class, () -> Csv.parseLabeled(text, "t.csv", labelColumn)).getMessage();
    }

    @Test
    void parseLabeledWithoutHeaderTakesTheLastColumnAndNamesColumnsByIndex() {
        LabeledData d = Csv.parseLabeled("0.5,1,10\n0.25,2,9\n1,1,-1\n0,0,9.0\n", "t.csv", null);

        assertEquals(List.of("0", "1"), d.featureNames());
        assertEquals("2", d.labelName());
        assertArrayEquals(new double[] {0.5, 1, 0.25, 2, 1, 1, 0, 0}, d.features().toDouble());
        assertArrayEquals(new double[] {10, 9, -1, 9}, d.labels().toDouble());
        assertEquals(0, d.missingCount());
    }

    @Test
    void parseLabeledTextLabelsInEveryRowDoNotMakeTheFirstRowAHeader() {
        LabeledData d = Csv.parseLabeled("1,2,setosa\n3,4,virginica\n", "t.csv", null);

        assertArrayEquals(new int[] {2, 2}, d.features().shape());
        assertEquals(List.of("setosa", "virginica"), d.classNames());
        assertArrayEquals(new double[] {0, 1}, d.labels().toDouble());
    }

    @Test
    void parseLabeledHeaderIsTextAboveANumberOrTheLabelColumnsName() {
        LabeledData d = Csv.parseLabeled("a,b,species\n1,2,cat\n3,4,dog\n5.5,-6e-1,cat\n", "t.csv", null);

        assertEquals(List.of("a", "b"), d.featureNames());
        assertEquals("species", d.labelName());
        assertEquals(List.of("cat", "dog"), d.classNames());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5.5, -0.6}, d.features().toDouble());
        assertEquals(List.of("a", "b"), Csv.parseLabeled("a,b,y\n", "t.csv", null).featureNames());
        assertEquals("y", Csv.parseLabeled("1,2,y\n3,4,z\n", "t.csv", "y").labelName());
    }

    @Test
    void parseLabeledFileWithoutHeaderTakesAColumnIndex() {
        LabeledData d = Csv.parseLabeled("7,1,2\n8,3,4\n", "t.csv", "0");

        assertArrayEquals(new double[] {7, 8}, d.labels().toDouble());
        assertArrayEquals(new double[] {1, 2, 3, 4}, d.features().toDouble());
    }

    @Test
    void parseLabeledEmptyOrBlankLabelsAreMissing() {
        LabeledData d = Csv.parseLabeled("x,y\n1,a\n2,\n3,b\n4,  \n", "t.csv", "y");

        assertArrayEquals(new boolean[] {false, true, false, true}, d.labelMissing());
        assertEquals(List.of("a", "b"), d.classNames());
    }

    @Test
    void parseLabeledAcceptsQuotedFieldsBlankLinesAndByteOrderMark() {
        LabeledData d = Csv.parseLabeled("\uFEFF\"x\",\"the, label\"\n\n\"1.5\",\"a \"\"b\"\"\"\n2,c\n\n",
                "t.csv", "the, label");

        assertEquals(List.of("a \"b\"", "c"), d.classNames());
        assertArrayEquals(new double[] {1.5, 2}, d.features().toDouble());
    }

    @Test
    void parseLabeledRejectsFeaturesThatAreNotFiniteNumbers() {
        assertEquals("t.csv:3:2: 'n/a' is not a number", labeledError("a,b,y\n1,2,x\n3,n/a,z\n", "y"));
        assertEquals("t.csv:2:2: empty field; every feature must be a number", labeledError("1,2,x\n3,,z\n", null));
        assertEquals("t.csv:2:1: 'NaN' is not a finite number; every feature must be one",
                labeledError("1,2,x\nNaN,1,z\n", null));
        assertEquals("t.csv:1:1: '1e999' is too large for a double", labeledError("1e999,2,x\n1,1,z\n", null));
    }

    @Test
    void parseLabeledRejectsRaggedRowsAndTooFewColumns() {
        assertEquals("t.csv:4: expected 3 columns (like the header on line 1) but found 2",
                labeledError("a,b,y\n1,2,x\n3,4,z\n5,6\n", "y"));
        assertEquals("t.csv:1: found 1 column; training data needs at least 2: features and a label",
                labeledError("1\n2\n", null));
        assertEquals("t.csv:2:2: unclosed quote", labeledError("x,y\n1,\"a\n", "y"));
    }

    @Test
    void parseLabeledNamesTheLabelColumnProblem() {
        assertEquals("t.csv:1: no column named 'label'; the columns are a, b, y", labeledError("a,b,y\n1,2,x\n", "label"));
        assertEquals("t.csv:1: label column 3 is out of range: the file has 3 columns, 0..2",
                labeledError("1,2,3\n4,5,6\n", "3"));
        StringBuilder wide = new StringBuilder("pixel0");
        for (int c = 1; c < 100; c++) {
            wide.append(",pixel").append(c);
        }
        assertEquals("t.csv:1: no column named 'y'; the columns are "
                + "pixel0, pixel1, pixel2, pixel3, pixel4, pixel5, pixel6, p...",
                labeledError(wide + "\n" + "1,".repeat(99) + "1\n", "y"));
    }

    @Test
    void readLabeledDecompressesGzipWhateverTheName() throws IOException {
        for (String name : new String[] {"d.csv.gz", "d.csv"}) {
            Path file = dir.resolve(name);
            try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
                gz.write("f,y\n1,0\n2,1\n".getBytes(StandardCharsets.UTF_8));
            }

            assertArrayEquals(new int[] {0, 1}, Csv.readLabeled(file, "y").labels().toIntTargets("y"), name);
            assertEquals(List.of("f", "y"), Csv.readTable(file).columnNames(), name);
        }
    }

    @Test
    void readLabeledFromAStreamNamesItsSource() {
        InputStream in = new ByteArrayInputStream("1,2,0\n3,4,1\n5,x,0\n".getBytes(StandardCharsets.UTF_8));

        assertEquals("bundled:3:2: 'x' is not a number",
                assertThrows(DataException.class, () -> Csv.readLabeled(in, "bundled", null)).getMessage());
    }

    @Test
    void readLabeledReportsAMissingFileAndADirectory() {
        Path missing = dir.resolve("nope.csv");

        assertEquals(missing + ": cannot read: no such file or directory",
                assertThrows(DataException.class, () -> Csv.readLabeled(missing, null)).getMessage());
        assertEquals(dir + ": is a directory, not a file",
                assertThrows(DataException.class, () -> Csv.readLabeled(dir, null)).getMessage());
    }

    @Test
    void readLabeledFromFile() throws IOException {
        Path file = dir.resolve("train.csv");
        Files.writeString(file, "f,y\n1.0,1\n2.0,0\n");

        LabeledData d = Csv.readLabeled(file, "y");

        assertArrayEquals(new int[] {1, 0}, d.labels().toIntTargets("y"));
        assertEquals(file.toString(), d.features().source());
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
