package io.github.xent4j.cli.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The header of a {@code .npy} file (format versions 1.0, 2.0 and 3.0), as documented in
 * {@code numpy.lib.format}: the magic {@code \x93NUMPY}, a version, a little-endian header length
 * and a Python dict literal with the keys {@code descr}, {@code fortran_order} and {@code shape},
 * padded with spaces to a multiple of 64 bytes and ended by a newline.
 *
 * <p>Reading is as strict as {@code numpy.load}: the version must be exactly 1.0, 2.0 or 3.0; the
 * header at most 10000 characters (numpy's {@code max_header_size}); the dict must have exactly the
 * three keys; {@code shape} must be a tuple of non-negative integers (not a list, nor a bare
 * integer), of at most 64 dimensions (numpy's limit); {@code fortran_order} a bool; Python 2's
 * {@code L} suffix on integers is accepted in versions 1.0 and 2.0 only, as numpy does.
 */
final class NpyHeader {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    private static final java.util.Set<String> KEYS = java.util.Set.of("descr", "fortran_order", "shape");
    /** numpy leaves room for the leading dimension to grow to this many digits. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** numpy's default {@code max_header_size}: a longer header is refused as unsafe to parse. */
    private static final long MAX_HEADER_BYTES = 10_000;
    /** numpy's {@code NPY_MAXDIMS}. */
    private static final int MAX_DIMS = 64;

    final DType dtype;
    final ByteOrder order;
    final long[] shape;
    /** Offset of the first data byte from the start of the file. */
    final long dataOffset;
    final long numel;

    private NpyHeader(DType dtype, ByteOrder order, long[] shape, long dataOffset, long numel) {
        this.dtype = dtype;
        this.order = order;
        this.shape = shape;
        this.dataOffset = dataOffset;
        this.numel = numel;
    }

    /** Bytes in the data section. */
    long dataBytes() {
        return numel * dtype.itemSize();
    }

    /**
     * Reads and validates the header at the start of {@code channel}, and checks that the file is
     * long enough for the data the header announces.
     *
     * @throws DataException naming {@code file} for a bad magic, version, header, dtype, order or size
     */
    static NpyHeader read(FileChannel channel, Path file) throws IOException {
        long fileSize = channel.size();
        ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, prefix, 0);
        prefix.flip();
        if (prefix.remaining() < 10 || !hasMagic(prefix)) {
            throw DataException.at(file, "not a .npy file: it does not start with the magic string \\x93NUMPY");
        }
        int major = prefix.get(6) & 0xFF;
        int minor = prefix.get(7) & 0xFF;
        long headerLength;
        int prefixLength;
        if (minor != 0 || major < 1 || major > 3) {
            throw DataException.at(file, "unsupported .npy format version " + major + "." + minor
                    + "; versions 1.0, 2.0 and 3.0 can be read");
        }
        if (major == 1) {
            headerLength = prefix.getShort(8) & 0xFFFF;
            prefixLength = 10;
        } else if (major == 2 || major == 3) {
            if (prefix.remaining() < 12) {
                throw truncatedHeader(file);
            }
            headerLength = prefix.getInt(8) & 0xFFFFFFFFL;
            prefixLength = 12;
        } else {
            throw DataException.at(file, "unsupported .npy format version " + major + "." + minor
                    + "; versions 1.0, 2.0 and 3.0 can be read");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw malformed(file, "the header is " + headerLength + " bytes long; numpy.load refuses more than "
                    + MAX_HEADER_BYTES + " as unsafe");
        }
        if (prefixLength + headerLength > fileSize) {
            throw truncatedHeader(file);
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBytes, prefixLength);
        String text = new String(headerBytes.array(), 0, headerBytes.position(),
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return parse(text, major <= 2, prefixLength + headerLength, fileSize, file);
    }

    private static NpyHeader parse(String text, boolean python2, long dataOffset, long fileSize, Path file) {
        Object literal;
        try {
            literal = PyLiteral.parse(text, python2);
        } catch (IllegalArgumentException e) {
            throw malformed(file, e.getMessage() + " in " + shorten(text));
        }
        if (!(literal instanceof Map)) {
            throw malformed(file, "the header is not a dict: " + shorten(text));
        }
        Map<?, ?> dict = (Map<?, ?>) literal;
        for (Object key : dict.keySet()) {
            if (!KEYS.contains(key)) {
                throw malformed(file, "unexpected key " + shorten(String.valueOf(key instanceof String k ? "'" + k + "'" : key))
                        + "; a header has exactly the keys 'descr', 'fortran_order' and 'shape'");
            }
        }
        Object descr = require(dict, "descr", file);
        Object fortran = require(dict, "fortran_order", file);
        Object shapeValue = require(dict, "shape", file);
        if (descr instanceof List) {
            throw DataException.at(file, "structured dtype " + shorten(String.valueOf(descr))
                    + " is not supported; save a plain float32 or float64 array");
        }
        if (!(descr instanceof String)) {
            throw malformed(file, "'descr' must be a dtype string such as '<f4', not " + describe(descr));
        }
        if (!(fortran instanceof Boolean)) {
            throw malformed(file, "'fortran_order' must be True or False, not " + describe(fortran));
        }
        long[] shape = parseShape(shapeValue, file);
        String descrText = (String) descr;
        DType dtype = parseDescr(descrText, file);
        ByteOrder order = descrText.startsWith(">") ? ByteOrder.BIG_ENDIAN
                : descrText.startsWith("=") ? ByteOrder.nativeOrder() : ByteOrder.LITTLE_ENDIAN;
        if ((Boolean) fortran && nonTrivialAxes(shape) > 1) {
            throw DataException.at(file, "the array is Fortran-ordered; save it with "
                    + "np.save(path, np.ascontiguousarray(a))");
        }
        long numel = Shapes.numel(shape);
        if (numel < 0 || numel > Long.MAX_VALUE / dtype.itemSize()) {
            throw DataException.at(file, "shape " + Shapes.format(shape) + " is too large");
        }
        long needed = numel * dtype.itemSize();
        long available = fileSize - dataOffset;
        if (available < needed) {
            throw DataException.at(file, "truncated: shape " + Shapes.format(shape) + " of " + dtype + " needs "
                    + needed + " data bytes but only " + available + " follow the " + dataOffset + "-byte header");
        }
        return new NpyHeader(dtype, order, shape, dataOffset, numel);
    }

    private static Object require(Map<?, ?> dict, String key, Path file) {
        if (!dict.containsKey(key)) {
            throw malformed(file, "missing key '" + key + "'");
        }
        return dict.get(key);
    }

    private static long[] parseShape(Object value, Path file) {
        if (!(value instanceof PyLiteral.Tuple tuple)) {
            throw malformed(file, "'shape' must be a tuple of integers, not " + describe(value));
        }
        List<Object> dims = tuple.items();
        if (dims.size() > MAX_DIMS) {
            throw malformed(file, "'shape' has " + dims.size() + " dimensions; numpy allows at most " + MAX_DIMS);
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            Object d = dims.get(i);
            if (!(d instanceof Long) || (Long) d < 0) {
                throw malformed(file, "'shape' must be a tuple of non-negative integers, not " + shorten(tuple.toString()));
            }
            shape[i] = (Long) d;
        }
        return shape;
    }

    /** A parsed value for a message: its kind and its (shortened) text. */
    private static String describe(Object value) {
        String kind = value instanceof List ? "a list " : value instanceof Long ? "an integer " : value instanceof String ? "a string "
                : value instanceof Map ? "a dict " : "";
        return kind + shorten(value instanceof String str ? "'" + str + "'" : String.valueOf(value));
    }

    /** Maps a NumPy type string such as {@code '<f4'} to a {@link DType}. */
    static DType parseDescr(String descr, Path file) {
        String body = descr.isEmpty() || "<>|=".indexOf(descr.charAt(0)) < 0 ? descr : descr.substring(1);
        String kind = body.isEmpty() ? "" : body.substring(0, 1);
        String size = body.length() > 1 ? body.substring(1) : "";
        switch (kind + size) {
            case "f4":
                return DType.FLOAT32;
            case "f8":
                return DType.FLOAT64;
            case "i1":
                return DType.INT8;
            case "i2":
                return DType.INT16;
            case "i4":
                return DType.INT32;
            case "i8":
                return DType.INT64;
            case "u1":
                return DType.UINT8;
            case "u2":
                return DType.UINT16;
            case "u4":
                return DType.UINT32;
            case "b1":
            case "?":
            case "?1":
                return DType.BOOL;
            case "u8":
                throw DataException.at(file, "dtype '" + descr + "' (uint64) is not supported; use int64");
            default:
                throw DataException.at(file, "dtype '" + descr + "' (" + describe(kind, size)
                        + ") is not supported; use float32 or float64");
        }
    }

    private static String describe(String kind, String size) {
        int bits = size.matches("\\d{1,3}") ? 8 * Integer.parseInt(size) : -1;
        switch (kind) {
            case "f":
                return bits == 16 ? "float16" : bits > 64 ? "longdouble" : "float" + bits;
            case "c":
                return "complex" + bits;
            case "i":
                return "int" + bits;
            case "u":
                return "uint" + bits;
            case "U":
                return "str";
            case "S":
            case "a":
                return "bytes";
            case "O":
                return "object";
            case "V":
                return "void";
            case "M":
                return "datetime64";
            case "m":
                return "timedelta64";
            default:
                return "unknown type";
        }
    }

    private static int nonTrivialAxes(long[] shape) {
        int n = 0;
        for (long d : shape) {
            if (d > 1) {
                n++;
            }
        }
        return n;
    }

    /**
     * The complete header (magic to newline) that {@code numpy.save} writes for a C-ordered
     * little-endian array: version 1.0, or 2.0 when the header does not fit in 65535 bytes.
     */
    static byte[] encode(DType dtype, long[] shape) {
        StringBuilder dict = new StringBuilder()
                .append("{'descr': '").append(descrOf(dtype)).append("', 'fortran_order': False, 'shape': ")
                .append(Shapes.format(shape)).append(", }");
        if (shape.length > 0) {
            dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        }
        int textLength = dict.length() + 1;
        int prefixLength = 10;
        int pad = ALIGN - (prefixLength + textLength) % ALIGN;
        if (textLength + pad > 0xFFFF) {
            prefixLength = 12;
            pad = ALIGN - (prefixLength + textLength) % ALIGN;
        }
        dict.append(" ".repeat(pad)).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(prefixLength + text.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) (prefixLength == 10 ? 1 : 2)).put((byte) 0);
        if (prefixLength == 10) {
            out.putShort((short) text.length);
        } else {
            out.putInt(text.length);
        }
        out.put(text);
        return out.array();
    }

    private static String descrOf(DType dtype) {
        switch (dtype) {
            case FLOAT32:
                return "<f4";
            case FLOAT64:
                return "<f8";
            case INT64:
                return "<i8";
            default:
                throw new IllegalArgumentException("dtype=" + dtype + " cannot be written; use float32, float64 or int64");
        }
    }

    private static boolean hasMagic(ByteBuffer prefix) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix.get(i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** Reads until {@code buffer} is full or the file ends. */
    static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                return;
            }
            at += n;
        }
    }

    private static DataException truncatedHeader(Path file) {
        return DataException.at(file, "truncated: the file ends inside the .npy header");
    }

    private static DataException malformed(Path file, String detail) {
        return DataException.at(file, "malformed .npy header: " + detail);
    }

    private static String shorten(String text) {
        String t = text.strip();
        return t.length() > 120 ? t.substring(0, 117) + "..." : t;
    }
}
