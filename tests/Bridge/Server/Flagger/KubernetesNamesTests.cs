using Bridge.Server.Flagger;

namespace Bridge.Server.Tests.Flagger;

public sealed class KubernetesNamesTests
{
    [Theory]
    [InlineData("a", true)]
    [InlineData("test", true)]
    [InlineData("kube-system", true)]
    [InlineData("0", true)]
    [InlineData("", false)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    [InlineData("A", false)]
    [InlineData("a.b", false)]
    [InlineData("a_b", false)]
    public void IsDns1123Label_Value_Classified(string value, bool expected)
    {
        Assert.Equal(expected, KubernetesNames.IsDns1123Label(value));
    }

    [Fact]
    public void IsDns1123Label_Length_LimitedTo63()
    {
        Assert.True(KubernetesNames.IsDns1123Label(new string('a', 63)));
        Assert.False(KubernetesNames.IsDns1123Label(new string('a', 64)));
    }

    [Theory]
    [InlineData("podinfo", true)]
    [InlineData("podinfo.v2", true)]
    [InlineData("a-b.c-d.e", true)]
    [InlineData("", false)]
    [InlineData(".a", false)]
    [InlineData("a.", false)]
    [InlineData("a..b", false)]
    [InlineData("a.-b", false)]
    [InlineData("a-.b", false)]
    [InlineData("Podinfo", false)]
    public void IsDns1123Subdomain_Value_Classified(string value, bool expected)
    {
        Assert.Equal(expected, KubernetesNames.IsDns1123Subdomain(value));
    }

    [Fact]
    public void IsDns1123Subdomain_Length_LimitedTo253()
    {
        var name253 = new string('a', 63) + "." + new string('b', 63) + "." + new string('c', 63) + "." + new string('d', 61);
        Assert.Equal(253, name253.Length);

        Assert.True(KubernetesNames.IsDns1123Subdomain(name253));
        Assert.False(KubernetesNames.IsDns1123Subdomain(name253 + "e"));
    }
}
