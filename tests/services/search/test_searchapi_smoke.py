from fastapi.testclient import TestClient


def test_lists(searchapi: TestClient) -> None:
    r = searchapi.get("/api/Datasets")
    print(r.json())
    assert r.status_code == 200
    r = searchapi.get("/api/Documents", params={"filter": '{"include":[{"relation":"datasets"},{"relation":"members","scope":{"include":[{"relation":"person"}]}}]}'})
    print(r.json())
    assert r.status_code == 200
