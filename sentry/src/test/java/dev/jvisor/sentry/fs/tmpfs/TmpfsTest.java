package dev.jvisor.sentry.fs.tmpfs;

import static dev.jvisor.sentry.vfs.VfsAssertions.assertRet;
import static dev.jvisor.sentry.vfs.VfsAssertions.createFile;
import static dev.jvisor.sentry.vfs.VfsAssertions.readAll;
import static dev.jvisor.sentry.vfs.VfsAssertions.readFrom;
import static dev.jvisor.sentry.vfs.VfsAssertions.write;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.abi.Dirent64;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.Fcntl;
import dev.jvisor.abi.FileMode;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileDescription;
import dev.jvisor.sentry.vfs.TestTasks;
import dev.jvisor.sentry.vfs.VirtualFilesystem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** tmpfs files through the VFS: read/write with offsets, O_APPEND, O_TRUNC, lseek, getdents64. */
class TmpfsTest {
    private VirtualFilesystem vfs;
    private Task t;

    @BeforeEach
    void setUp() {
        vfs = new VirtualFilesystem(new TmpfsFilesystem(), "tmpfs", false);
        t = TestTasks.root(vfs);
    }

    private FileDescription open(String path, int flags) {
        return vfs.open(t, Fcntl.AT_FDCWD, path, flags, 0644);
    }

    @Test
    void writesThenReadsBackAtTheSharedOffset() {
        FileDescription f = open("/f", Fcntl.O_RDWR | Fcntl.O_CREAT);
        assertEquals(11, write(f, "hello world"));
        assertEquals(11, f.offset());
        assertEquals("", readFrom(f));
        assertEquals(0, f.seek(0, Fcntl.SEEK_SET));
        assertEquals("hello world", readFrom(f));
        assertEquals(6, f.seek(6, Fcntl.SEEK_SET));
        assertEquals(5, write(f, "WORLD"));
        assertEquals("hello WORLD", readAll(t, "/f"));
        f.decRef();
    }

    @Test
    void writingPastTheEndLeavesAHoleOfZeros() {
        FileDescription f = open("/f", Fcntl.O_RDWR | Fcntl.O_CREAT);
        assertEquals(4, f.seek(4, Fcntl.SEEK_SET));
        write(f, "x");
        assertEquals(5, f.size());
        assertEquals("\0\0\0\0x", readAll(t, "/f"));
        f.decRef();
    }

    @Test
    void appendWritesAlwaysGoToTheEnd() {
        createFile(t, "/log", "one\n");
        FileDescription f = open("/log", Fcntl.O_WRONLY | Fcntl.O_APPEND);
        assertEquals(0, f.seek(0, Fcntl.SEEK_SET));
        write(f, "two\n");
        assertEquals("one\ntwo\n", readAll(t, "/log"));
        assertTrue((f.flags() & Fcntl.O_APPEND) != 0);
        f.setStatusFlags(0);
        f.seek(0, Fcntl.SEEK_SET);
        write(f, "ONE\n");
        assertEquals("ONE\ntwo\n", readAll(t, "/log"));
        f.decRef();
    }

    @Test
    void oTruncEmptiesAndTruncateShrinksOrExtends() {
        createFile(t, "/f", "contents");
        open("/f", Fcntl.O_WRONLY | Fcntl.O_TRUNC).decRef();
        assertEquals("", readAll(t, "/f"));
        createFile(t, "/g", "abcdef");
        FileDescription g = open("/g", Fcntl.O_RDWR);
        assertEquals(0, g.truncate(3));
        assertEquals("abc", readAll(t, "/g"));
        assertEquals(0, g.truncate(5));
        assertEquals("abc\0\0", readAll(t, "/g"));
        g.decRef();
        FileDescription ro = open("/g", Fcntl.O_RDONLY);
        assertRet(Errno.EINVAL, ro.truncate(0));
        ro.decRef();
    }

    @Test
    void fGetflShowsTheAccessModeAndLargefileAndSetflChangesOnlyAppendAndNonblock() {
        FileDescription f = open("/f", Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_CLOEXEC);
        assertEquals(Fcntl.O_WRONLY | Fcntl.O_LARGEFILE, f.flags());
        f.setStatusFlags(Fcntl.O_APPEND | Fcntl.O_NONBLOCK | Fcntl.O_RDWR | Fcntl.O_DIRECT);
        assertEquals(Fcntl.O_WRONLY | Fcntl.O_LARGEFILE | Fcntl.O_APPEND | Fcntl.O_NONBLOCK, f.flags());
        f.decRef();
    }

    @Test
    void lseekWhences() {
        createFile(t, "/f", "0123456789");
        FileDescription f = open("/f", Fcntl.O_RDONLY);
        assertEquals(10, f.seek(0, Fcntl.SEEK_END));
        assertEquals(7, f.seek(-3, Fcntl.SEEK_END));
        assertEquals(9, f.seek(2, Fcntl.SEEK_CUR));
        assertEquals(100, f.seek(100, Fcntl.SEEK_SET));
        assertRet(Errno.EINVAL, f.seek(-1, Fcntl.SEEK_SET));
        assertRet(Errno.EINVAL, f.seek(-101, Fcntl.SEEK_CUR));
        assertEquals(100, f.offset());
        assertRet(Errno.EINVAL, f.seek(Long.MAX_VALUE, Fcntl.SEEK_CUR));
        assertRet(Errno.EINVAL, f.seek(0, 17));
        assertEquals(3, f.seek(3, Fcntl.SEEK_DATA));
        assertEquals(10, f.seek(3, Fcntl.SEEK_HOLE));
        assertRet(Errno.ENXIO, f.seek(10, Fcntl.SEEK_DATA));
        f.decRef();
    }

    @Test
    void sizesAndBlocksAreCountedAsLinuxTmpfsCountsThem() {
        vfs.mkdir(t, t.fs().root(), "/d", 0755);
        dev.jvisor.sentry.vfs.Kstat st = new dev.jvisor.sentry.vfs.Kstat();
        vfs.resolve(t, t.fs().root(), "/d", true).inode().stat(st);
        assertEquals(40, st.size);
        assertEquals(2, st.nlink);
        createFile(t, "/d/a", "");
        createFile(t, "/d/f", "hello");
        vfs.mkdir(t, t.fs().root(), "/d/c", 0755);
        vfs.resolve(t, t.fs().root(), "/d", true).inode().symlink("l", "\u00e9", 0, 0);
        vfs.resolve(t, t.fs().root(), "/d", true).inode().stat(st);
        assertEquals(120, st.size);
        assertEquals(3, st.nlink);
        assertEquals(0, st.blocks);
        vfs.resolve(t, t.fs().root(), "/d/f", true).inode().stat(st);
        assertEquals(5, st.size);
        assertEquals(8, st.blocks);
        vfs.resolve(t, t.fs().root(), "/d/l", false).inode().stat(st);
        assertEquals(2, st.size);
    }

    @Test
    void readingADirectoryIsEisdir() {
        vfs.mkdir(t, t.fs().root(), "/d", 0755);
        FileDescription d = open("/d", Fcntl.O_RDONLY);
        try (Arena a = Arena.ofConfined()) {
            assertRet(Errno.EISDIR, d.read(a.allocate(8)));
        }
        d.decRef();
        FileDescription f = open("/f", Fcntl.O_CREAT | Fcntl.O_RDONLY);
        try (Arena a = Arena.ofConfined()) {
            assertRet(Errno.ENOTDIR, f.getdents(a.allocate(4096)));
        }
        f.decRef();
    }

    /** One decoded linux_dirent64. */
    record Rec(long ino, long off, int reclen, int type, String name) {}

    static List<Rec> decode(MemorySegment buf, long len) {
        List<Rec> out = new ArrayList<>();
        long at = 0;
        while (at < len) {
            int reclen = buf.get(JAVA_SHORT_UNALIGNED, at + Dirent64.RECLEN) & 0xffff;
            int nameEnd = Dirent64.NAME;
            while (buf.get(JAVA_BYTE, at + nameEnd) != 0) {
                nameEnd++;
            }
            String name = new String(buf.asSlice(at + Dirent64.NAME, nameEnd - Dirent64.NAME).toArray(JAVA_BYTE),
                    VirtualFilesystem.NAME_CHARSET);
            out.add(new Rec(buf.get(JAVA_LONG_UNALIGNED, at), buf.get(JAVA_LONG_UNALIGNED, at + Dirent64.OFF),
                    reclen, buf.get(JAVA_BYTE, at + Dirent64.TYPE), name));
            at += reclen;
        }
        return out;
    }

    @Test
    void getdentsListsDotDotDotAndEntriesWithAlignedRecords() {
        vfs.mkdir(t, t.fs().root(), "/d", 0755);
        vfs.mkdir(t, t.fs().root(), "/d/sub", 0755);
        createFile(t, "/d/file", "x");
        vfs.resolve(t, t.fs().root(), "/d", true).inode().symlink("link", "file", 0, 0);
        FileDescription d = open("/d", Fcntl.O_RDONLY | Fcntl.O_DIRECTORY);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096);
            long n = d.getdents(buf);
            List<Rec> recs = decode(buf, n);
            assertEquals(List.of(".", "..", "file", "link", "sub"), recs.stream().map(Rec::name).toList());
            for (int i = 0; i < recs.size(); i++) {
                Rec r = recs.get(i);
                assertEquals(0, r.reclen() % 8, "reclen of " + r.name());
                assertEquals(Dirent64.recLen(r.name().length()), r.reclen());
                assertEquals(i + 1, r.off());
            }
            assertEquals(FileMode.DT_DIR, recs.get(0).type());
            assertEquals(vfs.resolve(t, t.fs().root(), "/d", true).inode().ino(), recs.get(0).ino());
            assertEquals(t.fs().root().inode().ino(), recs.get(1).ino());
            assertEquals(FileMode.DT_REG, recs.get(2).type());
            assertEquals(FileMode.DT_LNK, recs.get(3).type());
            assertEquals(vfs.resolve(t, t.fs().root(), "/d/file", true).inode().ino(), recs.get(2).ino());
            assertEquals(0, d.getdents(buf));
            // A seek to 0 (rewinddir) lists again, now with a new entry.
            createFile(t, "/d/zz", "");
            assertEquals(0, d.seek(0, Fcntl.SEEK_SET));
            assertEquals(6, decode(buf, d.getdents(buf)).size());
        }
        d.decRef();
    }

    @Test
    void getdentsFillsWhatFitsAndResumesAndIsEinvalWhenNothingFits() {
        vfs.mkdir(t, t.fs().root(), "/d", 0755);
        for (int i = 0; i < 10; i++) {
            createFile(t, "/d/entry" + i, "");
        }
        FileDescription d = open("/d", Fcntl.O_RDONLY);
        try (Arena a = Arena.ofConfined()) {
            assertRet(Errno.EINVAL, d.getdents(a.allocate(Dirent64.recLen(1) - 1)));
            MemorySegment small = a.allocate(64);
            List<String> names = new ArrayList<>();
            long n;
            while ((n = d.getdents(small)) > 0) {
                assertTrue(n <= 64);
                decode(small, n).forEach(r -> names.add(r.name()));
            }
            assertEquals(12, names.size());
            assertEquals("entry9", names.get(11));
        }
        d.decRef();
    }
}
