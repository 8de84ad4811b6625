"""PyTorch import/export against PyTorch's own forward pass (skipped without torch)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from slth_theory.model.interop import (  # noqa: E402
    from_torch,
    load_torch_state_dict,
    to_torch,
)
from slth_theory.model.network import Network  # noqa: E402
from slth_theory.model.ticket import Ticket  # noqa: E402

nn = torch.nn


def _module(seed=0, relu_out=False, dtype=torch.float64):
    torch.manual_seed(seed)
    layers = [nn.Linear(5, 8), nn.ReLU(), nn.Sequential(nn.Linear(8, 6), nn.ReLU()),
              nn.Dropout(0.5), nn.Linear(6, 3)]
    if relu_out:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers).to(dtype).eval()


def _torch_forward(module, x):
    with torch.no_grad():
        return module(torch.from_numpy(x)).numpy()


@pytest.mark.parametrize("relu_out", [False, True])
def test_module_import_matches_torch_forward(relu_out):
    mod = _module(relu_out=relu_out)
    net = from_torch(mod)
    assert net.widths == [5, 8, 6, 3]
    assert net.output_activation == ("relu" if relu_out else "identity")
    x = np.random.default_rng(0).uniform(-1, 1, (100, 5))
    np.testing.assert_allclose(net.forward(x), _torch_forward(mod, x), rtol=1e-12, atol=1e-12)


def test_float32_module_is_converted_exactly():
    mod = _module(dtype=torch.float32)
    net = from_torch(mod)
    np.testing.assert_array_equal(net.weights[0], mod[0].weight.detach().double().numpy())
    x = np.random.default_rng(1).uniform(-1, 1, (50, 5))
    ref = _torch_forward(mod.double(), x)
    np.testing.assert_allclose(net.forward(x), ref, rtol=1e-12, atol=1e-12)


def test_state_dict_import_and_file_roundtrip(tmp_path):
    mod = _module(relu_out=False)
    path = tmp_path / "sd.pt"
    torch.save(mod.state_dict(), path)
    sd = load_torch_state_dict(path)
    net = from_torch(sd)
    x = np.random.default_rng(2).uniform(-1, 1, (40, 5))
    np.testing.assert_allclose(net.forward(x), _torch_forward(mod, x), rtol=1e-12, atol=1e-12)
    assert from_torch(sd, arch=[5, 8, 6, 3]).widths == [5, 8, 6, 3]
    with pytest.raises(ValueError, match=r"architecture \[5, 8, 6, 3\]; expected \[5, 8, 3\]"):
        from_torch(sd, arch=[5, 8, 3])
    # with the architecture as a module: its activations are used
    skeleton = _module(seed=9, relu_out=True)
    relu_net = from_torch(sd, arch=skeleton)
    assert relu_net.output_activation == "relu"
    np.testing.assert_allclose(relu_net.forward(x), np.maximum(net.forward(x), 0), rtol=1e-12,
                               atol=1e-12)
    assert not torch.equal(skeleton[0].weight, mod[0].weight)  # the skeleton is not changed


def test_state_dict_into_wrong_module_and_bias_free_linear():
    sd = _module().state_dict()
    with pytest.raises(ValueError, match="does not fit the given architecture"):
        from_torch(sd, arch=nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3)))
    mod = nn.Sequential(nn.Linear(3, 4, bias=False), nn.ReLU(), nn.Linear(4, 1)).double()
    net = from_torch(mod)
    np.testing.assert_array_equal(net.biases[0], np.zeros(4))
    net2 = from_torch(mod.state_dict())
    np.testing.assert_array_equal(net2.weights[0], net.weights[0])


@pytest.mark.parametrize("module, match", [
    (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)), r"layer 1 \(Tanh\): unsupp"),
    (nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1)), "two Linear layers without a ReLU"),
    (nn.Sequential(nn.ReLU(), nn.Linear(2, 1)), "a ReLU must follow a Linear"),
    (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(3, 1)), "Flatten"),
    (nn.Sequential(nn.Identity()), "no Linear layer"),
])
def test_module_refusals(module, match):
    with pytest.raises(ValueError, match=match):
        from_torch(module)


def test_state_dict_refusals():
    sd = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1)).state_dict()
    with pytest.raises(ValueError, match="'1.running_mean' is not a Linear layer's"):
        from_torch(sd)
    with pytest.raises(ValueError, match="output_activation"):
        from_torch(_module(), output_activation="relu")
    with pytest.raises(TypeError, match="nn.Sequential or a state dict"):
        from_torch([1, 2])


class _Marker:
    """Unpickling this would create a file: it must never happen."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        import pathlib
        return (pathlib.Path.touch, (pathlib.Path(self.path),))


def test_pickled_objects_are_refused_not_run(tmp_path):
    marker = tmp_path / "was_unpickled"
    evil = tmp_path / "evil.pt"
    torch.save({"0.weight": torch.ones(2, 2), "x": _Marker(str(marker))}, evil)
    with pytest.raises(ValueError, match="weights_only=True"):
        load_torch_state_dict(evil)
    assert not marker.exists()
    whole = tmp_path / "module.pt"
    torch.save(_module(), whole)
    with pytest.raises(ValueError, match="not a plain state dict"):
        load_torch_state_dict(whole)
    nested = tmp_path / "nested.pt"
    torch.save({"model": _module().state_dict(), "epoch": 3}, nested)
    with pytest.raises(ValueError, match="not a state dict"):
        load_torch_state_dict(nested)


def test_export_network_matches_forward():
    rng = np.random.default_rng(3)
    net = Network([rng.normal(size=(7, 4)), rng.normal(size=(2, 7))],
                  [rng.normal(size=7), rng.normal(size=2)], "relu")
    mod = to_torch(net)
    assert [type(m).__name__ for m in mod] == ["Linear", "ReLU", "Linear", "ReLU"]
    x = rng.uniform(-1, 1, (64, 4))
    np.testing.assert_allclose(_torch_forward(mod, x), net.forward(x), rtol=1e-13, atol=1e-13)
    back = from_torch(mod)
    for a, b in zip(back.weights + back.biases, net.weights + net.biases, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("compact", [True, False])
def test_export_ticket_matches_ticket_forward(compact):
    rng = np.random.default_rng(4)
    widths = [3, 40, 5, 30, 2]
    mother = Network([rng.uniform(-1, 1, (widths[i + 1], widths[i])) for i in range(4)],
                     [rng.uniform(-1, 1, widths[i + 1]) for i in range(4)], "identity")
    wm = [rng.random(w.shape) < 0.15 for w in mother.weights]
    bm = [rng.random(b.shape) < 0.3 for b in mother.biases]
    ticket = Ticket(mother, wm, bm, output_scale=37.5)
    mod = to_torch(ticket, compact=compact)
    lin = [m for m in mod if isinstance(m, nn.Linear)]
    if compact:
        assert sum(m.out_features for m in lin) < sum(widths[1:])
    else:
        assert [m.out_features for m in lin] == widths[1:]
    x = rng.uniform(-1, 1, (500, 3))
    np.testing.assert_allclose(_torch_forward(mod, x), ticket.forward(x), rtol=1e-12,
                               atol=1e-12 * np.abs(ticket.forward(x)).max())
    assert all(not p.requires_grad for p in mod.parameters())


def test_export_float32_and_type_errors():
    net = Network([np.eye(2)], [np.zeros(2)], "identity")
    assert to_torch(net, dtype=torch.float32)[0].weight.dtype == torch.float32
    with pytest.raises(TypeError):
        to_torch("net")


def test_state_dict_size_limit(tmp_path):
    path = tmp_path / "sd.pt"
    torch.save(_module().state_dict(), path)
    n = sum(p.numel() for p in _module().parameters())
    with pytest.raises(ValueError, match=f"{n:,} array elements"):
        load_torch_state_dict(path, max_elements=n - 1)
    assert len(load_torch_state_dict(path, max_elements=n)) == 6
