using System.Net;
using Customers.Host.Auth.Providers;
using Xunit;

namespace Customers.Host.Tests.Http.OAuth;

/// <summary>The cap on an identity provider's answer holds while reading, so an endless answer cannot fill memory.</summary>
public sealed class ProviderResponseCapTests
{
    private const int Cap = 64 * 1024;

    [Fact]
    public async Task An_endless_chunked_answer_is_abandoned_just_past_the_cap()
    {
        var endless = new EndlessJsonStream();
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(endless) };

        var json = await OAuthHttp.ReadJsonAsync(response, Cap, CancellationToken.None);

        Assert.Null(json);
        Assert.InRange(endless.Served, Cap, Cap + (64 * 1024));
    }

    [Fact]
    public async Task An_answer_within_the_cap_is_read()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent($$"""{"sub":"{{new string('a', Cap - 100)}}"}""") };

        var json = await OAuthHttp.ReadJsonAsync(response, Cap, CancellationToken.None);

        Assert.Equal(Cap - 100, json!["sub"]!.GetValue<string>().Length);
    }

    /// <summary><c>{"a":"xxxx…</c> forever, with no length, counting what it served.</summary>
    private sealed class EndlessJsonStream : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Served; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var prefix = "{\"a\":\""u8;
            for (var i = 0; i < count; i++)
            {
                buffer[offset + i] = Served + i < prefix.Length ? prefix[(int)(Served + i)] : (byte)'x';
            }

            Served += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
