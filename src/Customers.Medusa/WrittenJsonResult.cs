using System.Buffers;
using System.Text.Json;

namespace Customers.Medusa;

/// <summary>
/// A 200 JSON answer written from <paramref name="value"/> when the response is sent, instead of a body kept in memory:
/// the writer and its buffer are reused per thread and the bytes are copied into the response pipe before the flush,
/// so a request allocates only this small result. Known Content-Length, one write, as <see cref="JsonBodyResult"/>.
/// </summary>
public sealed class WrittenJsonResult<T>(T value, Action<Utf8JsonWriter, T> write) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var scratch = Scratch.ForThisThread();
        var response = httpContext.Response;
        try
        {
            write(scratch.Writer, value);
            scratch.Writer.Flush();
            var body = scratch.Buffer.WrittenSpan;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = MedusaJson.ContentType;
            response.ContentLength = body.Length;
            response.BodyWriter.Write(body);
        }
        finally
        {
            scratch.Reset();
        }

        var flush = response.BodyWriter.FlushAsync(httpContext.RequestAborted);
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }

    /// <summary>Body bytes for answers written on this thread (synchronously: released before the flush awaits).</summary>
    private sealed class Scratch
    {
        // Answers above this are rare (a customer with many addresses): their buffer is not kept.
        private const int KeptCapacity = 16 * 1024;

        [ThreadStatic]
        private static Scratch? _current;

        private Scratch()
        {
            Buffer = new ArrayBufferWriter<byte>(2048);
            Writer = new Utf8JsonWriter(Buffer, MedusaJson.WriterOptions);
        }

        public ArrayBufferWriter<byte> Buffer { get; private set; }

        public Utf8JsonWriter Writer { get; }

        public static Scratch ForThisThread() => _current ??= new Scratch();

        public void Reset()
        {
            if (Buffer.Capacity > KeptCapacity)
            {
                Buffer = new ArrayBufferWriter<byte>(2048);
            }
            else
            {
                Buffer.ResetWrittenCount();
            }

            Writer.Reset(Buffer);
        }
    }
}
