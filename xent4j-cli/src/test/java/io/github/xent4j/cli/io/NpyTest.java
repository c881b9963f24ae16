package io.github.xent4j.cli.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class NpyTest {

    @TempDir
    Path dir;

    static Stream<String> manifestFiles() {
        List<String> files = new ArrayList<>();
        Fixtures.manifest().get("fixtures").forEach(e -> files.add(e.get("file").asText()));
        return files.stream();
    }

    static Stream<String> npSaveReferences() {
        List<String> files = new ArrayList<>();
        Fixtures.manifest().get("fixtures").forEach(e -> {
            if (e.get("note").asText().equals("np.save reference")) {
                files.add(e.get("file").asText());
            }
        });
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("manifestFiles")
    void readMatchesNumpyManifest(String file) {
        JsonNode entry = Fixtures.entry(file);
        NdArray a = Npy.read(Fixtures.path("npy/" + file));

        assertArrayEquals(Fixtures.shape(entry), a.shape(), file);
        assertEquals(entry.get("dtype").asText(), a.dtype().numpyName(), file);
        assertTrue(a.source().endsWith(file));
        if (a.isFloating()) {
            assertArrayEquals(Fixtures.doubles(entry), a.toDouble(), 0.0, file);
        } else {
            long[] expected = Fixtures.longs(entry);
            double[] actual = a.toDouble();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], (long) actual[i], file + "[" + i + "]");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("npSaveReferences")
    void writeProducesTheBytesOfNpSave(String file) throws IOException {
        NdArray expected = Fixtures.array(Fixtures.entry(file));
        Path out = dir.resolve(file);

        Npy.write(out, expected);

        assertArrayEquals(Files.readAllBytes(Fixtures.path("npy/" + file)), Files.readAllBytes(out), file);
    }

    @Test
    void readFloat32KeepsNaNAndInfinities() {
        float[] v = Npy.read(Fixtures.path("npy/f4_2x3.npy")).toFloat();

        assertEquals(0.1f, v[0]);
        assertEquals(Float.POSITIVE_INFINITY, v[3]);
        assertEquals(Float.NEGATIVE_INFINITY, v[4]);
        assertTrue(Float.isNaN(v[5]));
    }

    @Test
    void readBigEndianFloat64() {
        NdArray a = Npy.read(Fixtures.path("npy/be_f8_2x2.npy"));

        assertEquals(DType.FLOAT64, a.dtype());
        assertArrayEquals(new double[] {1.0, -2.0, 0.5, 1e10}, a.toDouble());
    }

    @Test
    void readZeroDimensionalArray() {
        NdArray a = Npy.read(Fixtures.path("npy/scalar_f8.npy"));

        assertEquals(0, a.rank());
        assertEquals(1, a.numel());
        assertEquals("()", a.shapeString());
        assertEquals(3.25, a.getDouble(0));
    }

    @Test
    void readUnsignedAndBoolWidenToLong() {
        assertArrayEquals(new int[] {0, 1, 255}, Npy.read(Fixtures.path("npy/u1_3.npy")).toIntTargets("t"));
        assertEquals(4294967295.0, Npy.read(Fixtures.path("npy/u4_2.npy")).getDouble(1));
        assertArrayEquals(new int[] {1, 0, 1}, Npy.read(Fixtures.path("npy/b1_3.npy")).toIntTargets("t"));
    }

    @Test
    void roundTripsEveryWritableTypeAndShape() {
        List<NdArray> arrays = List.of(
                NdArray.ofFloats(new float[] {1f, -0f, Float.NaN, Float.MIN_VALUE, 3e38f, 7f}, 2, 3),
                NdArray.ofDoubles(new double[] {Math.PI}),
                NdArray.ofDoubles(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2),
                NdArray.ofLongs(new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0}, 3),
                NdArray.ofFloats(new float[0], 0, 5));
        for (NdArray a : arrays) {
            Path file = dir.resolve("a.npy");

            Npy.write(file, a);
            NdArray back = Npy.read(file);

            assertEquals(a.dtype(), back.dtype());
            assertArrayEquals(a.shape(), back.shape());
            assertArrayEquals(a.toDouble(), back.toDouble(), 0.0);
        }
    }

    @Test
    void writeNarrowIntegersAsInt64() {
        Path file = dir.resolve("i.npy");

        Npy.write(file, Npy.read(Fixtures.path("npy/i4_2x2.npy")));

        NdArray back = Npy.read(file);
        assertEquals(DType.INT64, back.dtype());
        assertArrayEquals(new int[] {1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE}, back.toIntTargets("t"));
    }

    @Test
    void writeUsesVersion2WhenTheHeaderIsLongButNumpyAndTheReaderRefuseIt() throws IOException {
        int[] shape = new int[25_000];
        Arrays.fill(shape, 1);
        shape[0] = 2;
        Path file = dir.resolve("long-header.npy");

        Npy.write(file, NdArray.ofFloats(new float[] {1.5f, 2.5f}, shape));

        byte[] bytes = Files.readAllBytes(file);
        assertEquals(2, bytes[6]);
        assertEquals(0, (bytes.length - 8) % 64);
        DataException e = assertThrows(DataException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().endsWith("malformed .npy header: the header is 75124 bytes long; numpy.load refuses "
                + "more than 10000 as unsafe"), e.getMessage());
    }

    @Test
    void readsVersion2And3Headers() throws IOException {
        for (int major = 2; major <= 3; major++) {
            Path file = npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", major, doubleBytes(1, 2, 3));

            assertArrayEquals(new double[] {1, 2, 3}, Npy.read(file).toDouble());
        }
    }

    @Test
    void readIsAsStrictAsNumpy() throws IOException {
        String ok = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
        String[][] cases = {
            {"{'descr': '<f8', 'fortran_order': False, 'shape': [3], }", "'shape' must be a tuple of integers, not a list [3]"},
            {"{'descr': '<f8', 'fortran_order': False, 'shape': (3), }", "'shape' must be a tuple of integers, not an integer 3"},
            {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'extra': None}", "unexpected key 'extra'"},
            {"{'descr': '<f8', 'fortran_order': 0, 'shape': (3,), }", "'fortran_order' must be True or False, not an integer 0"},
            {"{'descr': 5, 'fortran_order': False, 'shape': (3,), }", "'descr' must be a dtype string such as '<f4', not an integer 5"},
            {"{'descr': '<f8', 'fortran_order': False, 'shape': (True,), }", "'shape' must be a tuple of non-negative integers"},
            {"{'descr': '<f8', 'fortran_order': False, 'shape': (\u0663,), }", "expected a value at position"},
            {"{'descr': '<f8', 'fortran_order': False, 'shape': (" + "1, ".repeat(65) + "), }", "'shape' has 65 dimensions; numpy allows at most 64"},
        };
        for (String[] c : cases) {
            Path file = npyWithHeader(c[0], 1, doubleBytes(1, 2, 3));
            DataException e = assertThrows(DataException.class, () -> Npy.read(file), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
        for (int minor : new int[] {1, 9}) {
            Path file = npyWithHeader(ok, 1, doubleBytes(1, 2, 3));
            byte[] b = Files.readAllBytes(file);
            b[7] = (byte) minor;
            Files.write(file, b);
            DataException e = assertThrows(DataException.class, () -> Npy.read(file));
            assertTrue(e.getMessage().endsWith("unsupported .npy format version 1." + minor
                    + "; versions 1.0, 2.0 and 3.0 can be read"), e.getMessage());
        }
        Path v3 = npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (3L,), }", 3, doubleBytes(1, 2, 3));
        assertTrue(assertThrows(DataException.class, () -> Npy.read(v3)).getMessage().contains("at position"),
                "Python 2's L suffix only in versions 1.0 and 2.0, as numpy");
    }

    @Test
    void aDeeplyNestedShapeIsAnErrorNotAStackOverflow() throws IOException {
        for (int depth : new int[] {33, 3_000, 5_000}) {
            String header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + "(".repeat(depth) + ")".repeat(depth) + "}";
            Path file = npyWithHeaderOfAnyLength(header);
            DataException e = assertThrows(DataException.class, () -> Npy.read(file));
            assertTrue(e.getMessage().length() <= Messages.MAX_LENGTH, e.getMessage());
            assertTrue(e.getMessage().contains(depth == 5_000 ? "numpy.load refuses more than 10000" : "at most 32 levels of nesting"),
                    e.getMessage());
        }
        Path file = npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': " + "(".repeat(40) + "}", 1, new byte[0]);
        assertTrue(assertThrows(DataException.class, () -> Npy.read(file)).getMessage()
                .contains("malformed .npy header: expected at most 32 levels of nesting at position 81"));
    }

    @Test
    void controlCharactersInAHeaderAreEscaped() throws IOException {
        Path file = npyWithHeader("{'descr': '\u001b[2J\u001b]0;owned\u0007', 'fortran_order': False, 'shape': (3,), }", 1,
                doubleBytes(1, 2, 3));
        String m = assertThrows(DataException.class, () -> Npy.read(file)).getMessage();
        assertTrue(m.contains("dtype '\\x1b[2J\\x1b]0;owned\\x07'"), m);
        assertTrue(m.chars().noneMatch(c -> c < 0x20 || c == 0x7f), m);
    }

    @Test
    void readToleratesHandWrittenHeaders() throws IOException {
        String[] headers = {
            "{ 'shape' : ( 3 , ) , 'fortran_order':False,'descr':'<f8' , }",
            "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (3L,)}",
            "{'descr': '<f8', 'fortran_order': True, 'shape': (3,)}",
            "{'descr': '<f8', 'fortran_order': True, 'shape': (1, 3, 1)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': ((3),)}",
        };
        for (String header : headers) {
            Path file = npyWithHeader(header, 1, doubleBytes(1, 2, 3));

            NdArray a = Npy.read(file);

            assertEquals(3, a.numel(), header);
            assertArrayEquals(new double[] {1, 2, 3}, a.toDouble(), header);
        }
    }

    @Test
    void readZeroDimensionalHeader() throws IOException {
        Path file = npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 1, doubleBytes(-4));

        NdArray a = Npy.read(file);

        assertEquals(0, a.rank());
        assertEquals(-4.0, a.getDouble(0));
    }

    @Test
    void readRejectsFortranOrder() {
        Path file = Fixtures.path("npy/fortran_f8_2x3.npy");

        DataException e = assertThrows(DataException.class, () -> Npy.read(file));

        assertEquals(file + ": the array is Fortran-ordered; save it with np.save(path, np.ascontiguousarray(a))",
                e.getMessage());
    }

    @Test
    void readRejectsUnsupportedDtypesNamingThem() {
        assertEquals(Fixtures.path("npy/f2_2.npy") + ": dtype '<f2' (float16) is not supported; use float32 or float64",
                assertThrows(DataException.class, () -> Npy.read(Fixtures.path("npy/f2_2.npy"))).getMessage());
        assertEquals(Fixtures.path("npy/c8_2.npy") + ": dtype '<c8' (complex64) is not supported; use float32 or float64",
                assertThrows(DataException.class, () -> Npy.read(Fixtures.path("npy/c8_2.npy"))).getMessage());
        assertEquals(Fixtures.path("npy/u8_2.npy") + ": dtype '<u8' (uint64) is not supported; use int64",
                assertThrows(DataException.class, () -> Npy.read(Fixtures.path("npy/u8_2.npy"))).getMessage());
    }

    @Test
    void readRejectsObjectArrays() throws IOException {
        Path file = npyWithHeader("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 1, new byte[8]);

        DataException e = assertThrows(DataException.class, () -> Npy.read(file));

        assertEquals(file + ": dtype '|O' (object) is not supported; use float32 or float64", e.getMessage());
    }

    @Test
    void readRejectsTruncatedData() throws IOException {
        byte[] bytes = Files.readAllBytes(Fixtures.path("npy/f4_2x3.npy"));
        Path file = dir.resolve("short.npy");
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 4));

        DataException e = assertThrows(DataException.class, () -> Npy.read(file));

        assertEquals(file + ": truncated: shape (2, 3) of float32 needs 24 data bytes but only 20 follow the "
                + "128-byte header", e.getMessage());
    }

    @Test
    void readRejectsTruncatedHeader() throws IOException {
        byte[] bytes = Files.readAllBytes(Fixtures.path("npy/f4_2x3.npy"));
        Path file = dir.resolve("short.npy");
        Files.write(file, Arrays.copyOf(bytes, 50));

        DataException e = assertThrows(DataException.class, () -> Npy.read(file));

        assertEquals(file + ": truncated: the file ends inside the .npy header", e.getMessage());
    }

    @Test
    void readRejectsBadMagic() throws IOException {
        Path file = dir.resolve("text.npy");
        Files.writeString(file, "0.1,0.2\n");

        DataException e = assertThrows(DataException.class, () -> Npy.read(file));

        assertEquals(file + ": not a .npy file: it does not start with the magic string \\x93NUMPY", e.getMessage());
    }

    @Test
    void readRejectsEmptyFile() throws IOException {
        Path file = dir.resolve("empty.npy");
        Files.write(file, new byte[0]);

        DataException e = assertThrows(DataException.class, () -> Npy.read(file));

        assertTrue(e.getMessage().startsWith(file + ": not a .npy file"), e.getMessage());
    }

    @Test
    void readRejectsUnknownVersion() throws IOException {
        byte[] bytes = Files.readAllBytes(Fixtures.path("npy/f8_3.npy"));
        bytes[6] = 4;
        Path file = dir.resolve("v4.npy");
        Files.write(file, bytes);

        DataException e = assertThrows(DataException.class, () -> Npy.read(file));

        assertEquals(file + ": unsupported .npy format version 4.0; versions 1.0, 2.0 and 3.0 can be read",
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '<f8', 'fortran_order': False}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3,) 'x': 1}",
        "{'descr': '<f8', 'fortran_order': 0, 'shape': (3,)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (-3,)}",
        "['descr', '<f8']",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)",
    })
    void readRejectsMalformedHeaders(String header) throws IOException {
        Path file = npyWithHeader(header, 1, doubleBytes(1, 2, 3));

        DataException e = assertThrows(DataException.class, () -> Npy.read(file));

        assertTrue(e.getMessage().startsWith(file + ": malformed .npy header: "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void readRejectsStructuredDtype() throws IOException {
        Path file = npyWithHeader("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (1,)}",
                1, new byte[8]);

        DataException e = assertThrows(DataException.class, () -> Npy.read(file));

        assertTrue(e.getMessage().startsWith(file + ": structured dtype"), e.getMessage());
    }

    @Test
    void readReportsMissingFile() {
        Path file = dir.resolve("nope.npy");

        DataException e = assertThrows(DataException.class, () -> Npy.read(file));

        assertEquals(file + ": cannot read: no such file or directory", e.getMessage());
    }

    @Test
    void writeRejectsUnwritableDirectory() {
        Path file = dir.resolve("missing-dir").resolve("x.npy");

        DataException e = assertThrows(DataException.class, () -> Npy.write(file, NdArray.ofDoubles(new double[] {1})));

        assertTrue(e.getMessage().startsWith(file + ": cannot write: the directory"), e.getMessage());
    }

    /** A .npy file of the given format major version with a hand-written header dict. */
    private Path npyWithHeader(String dict, int major, byte[] data) throws IOException {
        byte[] text = (dict + "\n").getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(12 + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(NpyHeader.MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) text.length);
        } else {
            b.putInt(text.length);
        }
        b.put(text).put(data);
        b.flip();
        Path file = dir.resolve("hand" + Math.abs(dict.hashCode()) + ".npy");
        Files.write(file, Arrays.copyOf(b.array(), b.limit()));
        return file;
    }

    /** A version 2.0 file, whose header length may exceed 65535. */
    private Path npyWithHeaderOfAnyLength(String dict) throws IOException {
        return npyWithHeader(dict, 2, doubleBytes(1, 2, 3));
    }

    private static byte[] doubleBytes(double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }
}
