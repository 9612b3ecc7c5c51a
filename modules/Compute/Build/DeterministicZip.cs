using System.IO.Compression;
using System.Text;

namespace FraudTf.Compute.Build;

/// <summary>
/// Zips a folder so that the bytes depend only on the files' paths and contents: entries in ordinal order of their
/// relative path (forward slashes), no directory entries, each stamped 1980-01-01 00:00:00 with Unix mode 0644 and
/// "made by" Unix whatever the OS.
/// </summary>
public static class DeterministicZip
{
    /// <summary>The modification time of every zip entry: the DOS epoch, 1980-01-01 00:00:00.</summary>
    public static readonly DateTimeOffset EntryTimestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>External attributes of every zip entry: a regular file with Unix mode 0644 (<c>0x81A4 &lt;&lt; 16</c>).</summary>
    public const int EntryExternalAttributes = unchecked((int)(0x81A4u << 16));

    /// <summary>
    /// Writes the files of <paramref name="folder"/> into a new zip at <paramref name="zipPath"/> deterministically:
    /// entries in ordinal order of their relative path (forward slashes), no directory entries, every entry stamped
    /// <see cref="EntryTimestamp"/> with <see cref="EntryExternalAttributes"/>, deflate (optimal), "made by" Unix.
    /// </summary>
    public static void Write(string folder, string zipPath)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => (Relative: Path.GetRelativePath(folder, f).Replace('\\', '/'), Full: f))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();
        using (var stream = new FileStream(zipPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8))
        {
            foreach (var (relative, full) in files)
            {
                var entry = zip.CreateEntry(relative, CompressionLevel.Optimal);
                entry.LastWriteTime = EntryTimestamp;
                entry.ExternalAttributes = EntryExternalAttributes;
                using var input = File.OpenRead(full);
                using var output = entry.Open();
                input.CopyTo(output);
            }
        }

        SetMadeByUnix(zipPath);
    }

    // Sets the high byte of "version made by" of every central directory record to 3 (Unix): .NET writes the current
    // OS there (0 on Windows), which would make the bytes depend on the machine. The external attributes hold a Unix mode.
    private static void SetMadeByUnix(string zipPath)
    {
        var bytes = File.ReadAllBytes(zipPath);
        var eocd = -1;
        for (var i = bytes.Length - 22; i >= Math.Max(0, bytes.Length - 22 - 0xFFFF); i--)
        {
            if (BitConverter.ToUInt32(bytes, i) == 0x06054b50)
            {
                eocd = i;
                break;
            }
        }

        if (eocd < 0)
        {
            throw new InvalidDataException($"{zipPath}: end of central directory not found");
        }

        var count = BitConverter.ToUInt16(bytes, eocd + 10);
        var offset = BitConverter.ToUInt32(bytes, eocd + 16);
        if (count == 0xFFFF || offset == 0xFFFFFFFF)
        {
            throw new InvalidDataException($"{zipPath}: zip64 archives are not supported (more than 65535 files or 4 GiB)");
        }

        var p = (int)offset;
        for (var n = 0; n < count; n++)
        {
            if (BitConverter.ToUInt32(bytes, p) != 0x02014b50)
            {
                throw new InvalidDataException($"{zipPath}: bad central directory record at {p}");
            }

            bytes[p + 5] = 3;
            p += 46 + BitConverter.ToUInt16(bytes, p + 28) + BitConverter.ToUInt16(bytes, p + 30) + BitConverter.ToUInt16(bytes, p + 32);
        }

        File.WriteAllBytes(zipPath, bytes);
    }
}
